import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './test-support/run-cli.js';

const DEPLOY = join(ROOT, 'deploy');
const SETUP = join(DEPLOY, 'setup.sh');
const dir = mkdtempSync(join(tmpdir(), 'quant-bot-deploy-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command, returning its exit code and everything it printed (stdout and stderr together). */
function run(command: string, args: readonly string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('deploy/', () => {
  it('shell scripts pass shellcheck with no finding', () => {
    expect(run('shellcheck', [SETUP, join(DEPLOY, 'alert-failure.sh'), join(ROOT, '.ci/run')])).toEqual({
      code: 0,
      output: '',
    });
  });

  it('alert-failure.sh posts valid JSON to the webhook, whatever the unit name holds', async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        bodies.push(body);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const unit = 'quant-bot@a\\b"c.service';
      await promisify(execFile)('bash', [join(DEPLOY, 'alert-failure.sh'), unit], {
        env: { ...process.env, ALERT_WEBHOOK_URL: url, ALERT_EMAIL: '' },
      });
      expect(bodies).toHaveLength(1);
      const { text } = JSON.parse(bodies[0] as string) as { text: string };
      expect(text).toContain(`systemd gave up on ${unit} after repeated failures`);
    } finally {
      server.close();
    }
  });

  it('units pass systemd-analyze verify with no warning', () => {
    // As installed: node where this test's node is, the alert script at its path in this checkout.
    const units = join(dir, 'units');
    execFileSync('mkdir', ['-p', units]);
    const unit = readFileSync(join(DEPLOY, 'quant-bot.service'), 'utf8').replace('/usr/bin/node', process.execPath);
    writeFileSync(join(units, 'quant-bot.service'), unit);
    const failure = readFileSync(join(DEPLOY, 'quant-bot-failure@.service'), 'utf8').replace(
      '/opt/quant-bot/deploy/alert-failure.sh',
      join(DEPLOY, 'alert-failure.sh'),
    );
    writeFileSync(join(units, 'quant-bot-failure@quant-bot.service.service'), failure);
    for (const file of ['quant-bot.service', 'quant-bot-failure@quant-bot.service.service']) {
      expect(run('systemd-analyze', ['verify', join(units, file)], { SYSTEMD_UNIT_PATH: `${units}:` }), file).toEqual({
        code: 0,
        output: '',
      });
    }
    // The seeds' settings, in current systemd.
    for (const setting of [
      'Restart=always',
      'RestartSec=10',
      'StartLimitIntervalSec=600',
      'StartLimitBurst=5',
      'MemoryMax=2G',
      'LimitNOFILE=65536',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/quant-bot /var/log/quant-bot',
      'EnvironmentFile=/etc/quant-bot/quant-bot.env',
      'OnFailure=quant-bot-failure@%n.service',
    ]) {
      expect(unit.split('\n')).toContain(setting);
    }
  });

  it('setup.sh --dry-run prints every step and changes nothing', () => {
    const paths = ['/opt/quant-bot', '/etc/quant-bot', '/var/lib/quant-bot', '/etc/systemd/system/quant-bot.service'];
    const before = paths.map((path) => existsSync(path));
    const { code, output } = run('bash', [SETUP, '--dry-run']);
    expect(code, output).toBe(0);
    for (const step of [
      'rsync -a --delete',
      `install -m 644 ${DEPLOY}/quant-bot.service /etc/systemd/system/quant-bot.service`,
      'db migrate --config',
      'systemctl enable quant-bot.service',
    ]) {
      expect(output).toContain(step);
    }
    expect(output.trimEnd().split('\n').at(-1)).toBe('dry run: nothing was changed');
    expect(paths.map((path) => existsSync(path))).toEqual(before);
  });

  it("setup.sh is idempotent: a second run changes nothing and keeps an operator's configuration", () => {
    const root = join(dir, 'root');
    const first = run('bash', [SETUP, '--root', root]);
    expect(first.code, first.output).toBe(0);
    expect(readFileSync(join(root, 'etc/systemd/system/quant-bot.service'), 'utf8')).toBe(
      readFileSync(join(DEPLOY, 'quant-bot.service'), 'utf8'),
    );
    expect(existsSync(join(root, 'opt/quant-bot/deploy/alert-failure.sh'))).toBe(true);
    expect(existsSync(join(root, 'opt/quant-bot/node_modules'))).toBe(false);
    writeFileSync(join(root, 'etc/quant-bot/services.yaml'), 'trading:\n  symbols: [ETHUSDT]\n');
    const second = run('bash', [SETUP, '--root', root]);
    expect(second.code, second.output).toBe(0);
    expect(second.output).not.toContain('running:');
    expect(second.output.trimEnd().split('\n').at(-1)).toBe(
      'nothing to change: quant-bot is installed as this checkout describes',
    );
    expect(readFileSync(join(root, 'etc/quant-bot/services.yaml'), 'utf8')).toBe('trading:\n  symbols: [ETHUSDT]\n');
  });

  it('setup.sh refuses an unknown option with exit 2, saying what it expects', () => {
    expect(run('bash', [SETUP, '--force'])).toEqual({
      code: 2,
      output: "setup.sh: unknown option '--force' (expected --dry-run, --root DIR or --help)\n",
    });
  });
});
