import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkOutputDir } from './paths.js';
import { BTCUSDC, BTCUSDT, type CliResult, ROOT, runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-bad-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const head = readFileSync(BTCUSDT, 'utf8').split('\n').slice(0, 50);
const ROOT_CONF = join(ROOT, 'conf');

describe('bad input exits 2 with a message naming the place, and no stack trace', () => {
  it.each([
    ['an unknown flag', ['backtest', '--dta', 'x.csv'], /unknown option '--dta'/],
    ['an unknown command', ['trade'], /unknown command 'trade'/],
    ['a missing data file', ['backtest', '--data', 'nope.csv'], /data file not found: .*nope\.csv/],
    [
      'a malformed data file',
      [
        'backtest',
        '--data',
        file('bad.csv', [...head.slice(0, 10), '2023-03-01 00:09:00+00:00,1,0.5,2,1,1', ...head.slice(11)].join('\n')),
      ],
      /bad\.csv:11: inconsistent prices/,
    ],
    [
      'an invalid config',
      [
        'backtest',
        '--config',
        file('config.yaml', 'services:\n  data_fetching:\n    fetch_interval: -5\nrisk:\n  max_positons: 3\n'),
      ],
      /risk\.max_positons \(.*config\.yaml:5:3\): unknown key; did you mean "max_positions"\?\n.*services\.data_fetching\.fetch_interval \(.*config\.yaml:3:21\): expected >0, got -5/,
    ],
    [
      'an invalid strategy file',
      [
        'backtest',
        '--strategies',
        file(
          'strategies.yaml',
          'strategies:\n  - name: x\n    timeframe: 5m\n    entry: { long: { left: rsii, op: "<", right: 30 } }\n    sizing: { type: fixed, quantity: 0.1 }\n',
        ),
      ],
      /strategies\.0\.entry\.long\.left \(.*strategies\.yaml:4:28\): "rsii" is not an indicator output on 5m; did you mean "rsi"\?/,
    ],
    [
      'a bad --speed',
      ['live', '--speed', 'fast'],
      /--speed "fast" is not valid: expected a number >= 0\.001 .*or "max"/,
    ],
    ['a bad --from', ['backtest', '--from', 'yesterday'], /--from "yesterday" is not a date: expected YYYY-MM-DD/],
    ['a bad --log-level', ['backtest', '--log-level', 'loud'], /argument 'loud' is invalid. Allowed choices are/],
    [
      'a bad --client-id-reuse',
      ['exchange-sim', '--client-id-reuse', 'sometimes'],
      /Error \[BAD_FLAG\]: --client-id-reuse "sometimes" is not valid: expected never \(.*\) or binance \(.*\)/,
    ],
  ])('%s', async (_name, args, message) => {
    const result = await runCli(args as string[]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('shows the stack trace at debug level', async () => {
    const result = await runCli(['backtest', '--data', 'nope.csv', '--log-level', 'debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

/** A folder for one case: `<dir>/<name>`, not created. */
let cases = 0;
const fresh = (name: string): string => join(dir, `${name}-${++cases}`);
/** A small data file, so that the cases that load data stay quick. */
const slice = file('BTCUSDT_1m.csv', `${head.join('\n')}\n`);
/** A configuration that writes the log to `logFile`. */
const logConfig = (name: string, logFile: string): string =>
  file(name, `logging:\n  file_output: true\n  log_file: ${JSON.stringify(logFile)}\n`);
/** The first 50 lines with `row` in place of line 7 (the sixth bar). */
const withRow = (name: string, row: string): string =>
  file(name, [...head.slice(0, 6), row, ...head.slice(7)].join('\n'));

/** The run failed as bad input: exit 2, the message, no stack trace, nothing written to `out`. */
function expectBadInput(result: CliResult, message: RegExp, out?: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  if (out !== undefined) expect(existsSync(out), `${out} was created`).toBe(false);
}

/** Whether chmod stops this user from writing (not so for root). */
function chmodProtects(): boolean {
  const probe = join(mkdtempSync(join(tmpdir(), 'quant-bot-ro-')), 'ro');
  mkdirSync(probe, 0o555);
  chmodSync(probe, 0o555);
  try {
    writeFileSync(join(probe, 'x'), '');
    return false;
  } catch {
    return true;
  }
}

describe('an --out that cannot be written is bad input, and nothing is written', () => {
  it('--out pointing at a file leaves the file as it was', async () => {
    const target = file('a-file', 'keep me');
    expectBadInput(
      await runCli(['backtest', '--out', target]),
      /Error \[OUTPUT_UNWRITABLE\]: --out .*a-file: is a file: expected a folder \(existing, or to be created\)/,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('--out under a file', async () => {
    const parent = file('parent-file', '');
    const out = join(parent, 'report');
    expectBadInput(
      await runCli(['backtest', '--out', out]),
      /--out .*parent-file\/report: .*parent-file is a file, not a folder: expected a path under a folder/,
      out,
    );
  });

  it('--out in a read-only folder (under /proc when running as root, where chmod does not stop writes)', async () => {
    if (chmodProtects()) {
      const readOnly = fresh('read-only');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o555);
      const out = join(readOnly, 'report');
      expectBadInput(
        await runCli(['backtest', '--out', out]),
        /--out .*read-only-\d+\/report: cannot create a folder in .*read-only-\d+ \(permission denied\)/,
        out,
      );
      expectBadInput(
        await runCli(['backtest', '--out', readOnly]),
        /--out .*read-only-\d+: cannot write in this folder \(permission denied\): expected a writable folder/,
      );
      expect(readdirSync(readOnly)).toEqual([]);
    } else {
      const out = '/proc/quant-bot-report/run';
      expectBadInput(
        await runCli(['backtest', '--out', out]),
        /--out \/proc\/quant-bot-report\/run: cannot create a folder in \/proc \(.*\): expected a path where folders can be created/,
        out,
      );
    }
  });

  it('--out under /proc fails at once instead of hanging', async () => {
    expectBadInput(
      await runCli(['backtest', '--out', '/proc/quant-bot-report']),
      /--out \/proc\/quant-bot-report: cannot create a folder in \/proc/,
      '/proc/quant-bot-report',
    );
    expectBadInput(
      await runCli(['backtest', '--out', '/proc/self']),
      /--out \/proc\/self: cannot write in this folder/,
    );
  }, 20_000);

  it.each([['backtest'], ['live']])('an empty --out for %s', async (command) => {
    expectBadInput(
      await runCli([command, '--out', '']),
      /Error \[BAD_FLAG\]: --out "" is empty: expected a folder path/,
    );
  });

  it.each([
    ['a directory', () => fresh('log-dir'), /cannot append to .*log-dir-\d+: it is a directory/, true],
    [
      'under /proc',
      () => '/proc/quant-bot/trading.log',
      /cannot append to \/proc\/quant-bot\/trading\.log: the file system does not allow creating it there/,
      false,
    ],
    [
      'under a file',
      () => join(file('log-parent', ''), 'trading.log'),
      /cannot append to .*log-parent\/trading\.log: a part of the path is a file, not a directory/,
      false,
    ],
  ])('a logging.log_file that is %s, before anything is written', async (_name, logFile, reason, isDir) => {
    const path = logFile();
    if (isDir) mkdirSync(path);
    const config = logConfig(`log-${cases}.yaml`, path);
    for (const command of ['backtest', 'live'] as const) {
      const out = fresh(`${command}-out`);
      const result = await runCli([
        command,
        command === 'live' ? '--replay' : '--data',
        slice,
        '--config',
        config,
        '--out',
        out,
      ]);
      expectBadInput(result, /Configuration error: 1 problem/, out);
      expect(result.stderr).toMatch(/logging\.log_file \(.*log-\d+\.yaml:3:13\): /);
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).toMatch(
        /; expected a file that can be created or appended to \(or logging\.file_output: false\)/,
      );
      expect(result.stdout).toBe('');
    }
  });

  // As root, chmod does not stop writes: the /proc and file-parent cases above cover that user.
  it.runIf(chmodProtects())('a logging.log_file in a read-only folder', async () => {
    const readOnly = fresh('read-only-logs');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    const out = fresh('out');
    const result = await runCli([
      'backtest',
      '--data',
      slice,
      '--config',
      logConfig('read-only-log.yaml', join(readOnly, 'trading.log')),
      '--out',
      out,
    ]);
    expectBadInput(
      result,
      /logging\.log_file \(.*read-only-log\.yaml:3:13\): cannot append to .*: permission denied/,
      out,
    );
    expect(readdirSync(readOnly)).toEqual([]);
  });
});

describe('--out probes and folder creation are safe for stale probes and concurrent runs', () => {
  it('a stale probe left by an earlier run (PID reuse, SIGKILL) does not make a writable --out look unwritable', () => {
    const out = fresh('stale-probe');
    mkdirSync(out);
    // The names a probe had before (by PID) and has now (a random suffix after this prefix).
    writeFileSync(join(out, `.quant-bot-write-check-${process.pid}`), '');
    writeFileSync(join(out, '.quant-bot-probe-'), '');
    const before = readdirSync(out).sort();
    expect(checkOutputDir('--out', out, dir)).toBe(out);
    expect(readdirSync(out).sort()).toEqual(before);
    // Under a missing folder, the probe is a randomly named folder in the parent, removed after.
    expect(checkOutputDir('--out', join(out, 'new', 'run'), dir)).toBe(join(out, 'new', 'run'));
    expect(readdirSync(out).sort()).toEqual(before);
  });

  it('concurrent runs whose --out share missing parents (reports/a, reports/b) all check and create their folder', async () => {
    const root = fresh('concurrent');
    mkdirSync(root);
    const script = file(
      'concurrent-out.mjs',
      `const [, , modulePath, root, id, startAt] = process.argv;
const { checkOutputDir, makeOutputDir } = await import(modulePath);
while (Date.now() < Number(startAt)) {}
const failures = [];
for (let round = 0; round < 200; round++) {
  try {
    makeOutputDir('--out', checkOutputDir('--out', \`\${root}/r\${round}/reports/deep/run-\${id}\`, root));
  } catch (error) {
    failures.push(error.message);
  }
}
process.stdout.write(JSON.stringify(failures));
`,
    );
    const paths = fileURLToPath(new URL('./paths.ts', import.meta.url));
    const startAt = Date.now() + 2_000;
    const runs = [1, 2, 3, 4, 5, 6].map(
      (id) =>
        new Promise<string[]>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, paths, root, String(id), String(startAt)], {
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let stdout = '';
          child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
          });
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0 ? resolve(JSON.parse(stdout) as string[]) : reject(new Error(`exit ${code}: ${stdout}`)),
          );
        }),
    );
    expect((await Promise.all(runs)).flat()).toEqual([]);
    for (let round = 0; round < 200; round++) {
      expect(readdirSync(join(root, `r${round}`, 'reports', 'deep')).sort()).toEqual([
        'run-1',
        'run-2',
        'run-3',
        'run-4',
        'run-5',
        'run-6',
      ]);
      // No probe left behind.
      expect(readdirSync(join(root, `r${round}`))).toEqual(['reports']);
    }
  }, 60_000);
});

describe('a report folder that fails during the run (disk full) exits 1 with a typed error and leaves no temporary file', () => {
  it.skipIf(!existsSync('/dev/full')).each([['backtest'], ['live']])(
    '%s with events.jsonl.partial on a full device',
    async (command) => {
      const out = fresh(`${command}-full`);
      mkdirSync(out);
      const events = join(out, 'events.jsonl.partial');
      symlinkSync('/dev/full', events); // every write to it fails with ENOSPC
      const result = await runCli(
        command === 'live'
          ? ['live', '--replay', slice, '--speed', 'max', '--out', out]
          : ['backtest', '--data', slice, '--out', out],
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        `Error [OUTPUT_WRITE_FAILED]: cannot write ${events}: no space left on the device`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr).not.toMatch(/Internal error|Unhandled 'error' event/);
      expect(readdirSync(out)).toEqual([]);
      expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    },
  );
});

describe('data that is not a regular file is refused at once, naming the path', () => {
  const fifo = join(dir, 'fifo.csv');
  execFileSync('mkfifo', [fifo]);

  it.each([
    [
      'a FIFO as --data',
      ['backtest', '--data', fifo],
      /Error \[CSV_NOT_A_FILE\]: .*fifo\.csv is a FIFO \(named pipe\): expected a CSV file/,
    ],
    [
      'a FIFO as --replay',
      ['live', '--replay', fifo],
      /Error \[CSV_NOT_A_FILE\]: .*fifo\.csv is a FIFO \(named pipe\)/,
    ],
    [
      '/dev/zero as --data',
      ['backtest', '--data', '/dev/zero'],
      /\/dev\/zero is a character device: expected a CSV file/,
    ],
    ['a directory as --data', ['backtest', '--data', dir], /quant-bot-bad-\w+ is a directory: expected a CSV file/],
    [
      '/dev/zero as --strategies',
      ['backtest', '--strategies', '/dev/zero'],
      /Error \[NOT_A_FILE\]: --strategies \/dev\/zero is a device: expected a regular file/,
    ],
    ['a FIFO as --config', ['backtest', '--config', fifo], /Error \[NOT_A_FILE\]: --config .*fifo\.csv is a FIFO/],
  ])(
    '%s',
    async (_name, args, message) => {
      const out = fresh('out');
      expectBadInput(await runCli([...args, '--out', out]), message, out);
    },
    20_000,
  );
});

describe('flags accepted silently before are refused, saying what was expected', () => {
  it.each([
    [
      'an impossible --from',
      ['--from', '2023-02-30'],
      /Error \[BAD_FLAG\]: --from "2023-02-30" is not a real date: February 2023 has 28 days/,
    ],
    [
      'a --from that is not a date',
      ['--from', '1'],
      /--from "1" is not a date: expected YYYY-MM-DD or an ISO 8601 date-time/,
    ],
    ['an impossible --to', ['--to', '2023-04-31'], /--to "2023-04-31" is not a real date: April 2023 has 30 days/],
    [
      'a --to that is not a date',
      ['--to', '1'],
      /--to "1" is not a date: expected YYYY-MM-DD or an ISO 8601 date-time/,
    ],
    ['an impossible time', ['--to', '2023-03-10T24:30'], /--to "2023-03-10T24:30" is not a real time: expected hh:mm/],
    [
      '--from after --to',
      ['--from', '2023-03-10', '--to', '2023-03-05'],
      /--from "2023-03-10" is after --to "2023-03-05": expected --from at or before --to/,
    ],
    [
      'an empty --symbol',
      ['--symbol', ''],
      /Error \[BAD_FLAG\]: --symbol "" is not valid: expected a symbol of letters, digits or \._\/:-, e\.g\. BTCUSDT/,
    ],
    [
      'one --symbol for two files',
      ['--data', BTCUSDT, '--data', BTCUSDC, '--symbol', 'BTCUSDT'],
      /Error \[BAD_FLAG\]: 1 --symbol for 2 --data file\(s\): expected one --symbol per --data, in the same order, or none/,
    ],
    [
      'two files of one symbol',
      ['--data', BTCUSDT, '--data', BTCUSDC, '--symbol', 'BTCUSDT', '--symbol', 'BTCUSDT'],
      /Error \[BAD_FLAG\]: .*BTCUSDC_1m\.csv and .*BTCUSDT_1m\.csv both hold BTCUSDT: expected one data file per symbol/,
    ],
    [
      'a second file whose symbol its name does not tell',
      ['--data', BTCUSDT, '--data', file('march.csv', head.join('\n'))],
      /Error \[BAD_FLAG\]: .*march\.csv: cannot tell its symbol from its name: name the file like BTCUSDT_1m\.csv or give one --symbol per --data/,
    ],
    [
      'symbols quoted in two currencies without --currency',
      ['--data', BTCUSDT, '--data', BTCUSDC],
      /Error \[BAD_FLAG\]: the symbols are quoted in different currencies \(BTCUSDT in USDT, BTCUSDC in USDC\) and the account holds one: pass --currency/,
    ],
    [
      'an --events that is not a choice',
      ['--events', 'trades'],
      /Error \[BAD_FLAG\]: --events "trades" is not valid: expected trading \(orders, fills, positions, signals, risk, regimes, lifecycle\), all \(every event, per bar too\) or none/,
    ],
    [
      'a --currency that is not a code',
      ['--currency', 'US dollar'],
      /Error \[BAD_FLAG\]: --currency "US dollar" is not valid: expected a currency code of 2 to 10 letters or digits, e\.g\. USDT/,
    ],
  ])('%s', async (_name, args, message) => {
    const out = fresh('out');
    expectBadInput(await runCli(['backtest', ...args, '--out', out]), message, out);
  });

  it('a --speed too slow for the fetch interval (a timer cannot wait that long)', async () => {
    const out = fresh('out');
    expectBadInput(
      await runCli(['live', '--replay', slice, '--speed', '0.001', '--out', out], {
        SERVICES_DATA_FETCHING_FETCH_INTERVAL: '3600',
      }),
      /Error \[BAD_FLAG\]: --speed "0\.001" is too slow for services\.data_fetching\.fetch_interval = 3600 s: a cycle would wait 41\.7 days; expected a --speed of at least 0\.002/,
      out,
    );
  });

  it.each([
    ['backtest', '--data'],
    ['live', '--replay'],
    ['backtest', '--config'],
    ['backtest', '--strategies'],
    ['live', '--indicators'],
  ])('an empty %s %s', async (command, flag) => {
    const out = fresh('out');
    expectBadInput(
      await runCli([command, flag, '', '--out', out]),
      new RegExp(`Error \\[BAD_FLAG\\]: ${flag} "" is empty: expected a file path`),
      out,
    );
  });

  it.each([['1e-300'], ['0'], ['-1'], ['Infinity']])('--speed %s', async (speed) => {
    const out = fresh('out');
    expectBadInput(
      await runCli(['live', '--speed', speed, '--out', out]),
      new RegExp(
        `Error \\[BAD_FLAG\\]: --speed "${speed}" is not valid: expected a number >= 0\\.001 \\(recorded ms per real ms; 60 = a minute per second\\) or "max"`,
      ),
      out,
    );
  });
});

describe('CSV files that are not bar data are refused with file:line, the column and what was expected', () => {
  it.each([
    [
      'a zero price',
      withRow('zero.csv', '2023-03-01 00:05:00+00:00,0,23150,0,23120,1'),
      /zero\.csv:7: open \(column 2\) is 0: expected a price > 0/,
    ],
    [
      'a negative price',
      withRow('negative.csv', '2023-03-01 00:05:00+00:00,23140,23150,-3,23120,1'),
      /negative\.csv:7: low \(column 4\) is -3: expected a price > 0/,
    ],
    [
      'a YAML file',
      file('strategies-as.csv', readFileSync(join(ROOT_CONF, 'strategies.yaml'), 'utf8')),
      /strategies-as\.csv:\d+: .*expected a header line naming the columns open_time,open,high,low,close,volume; the file starts with "/,
    ],
    [
      'an empty file',
      file('empty.csv', ''),
      /Error \[NO_BARS\]: .*empty\.csv: no bars, the file is empty: expected a header line open_time,open,high,low,close,volume/,
    ],
    [
      'a header only',
      file('header-only.csv', `${head[0]}\n`),
      /header-only\.csv: no bars, the file has no line after its header: expected one bar per line/,
    ],
  ])('%s', async (_name, data, message) => {
    const out = fresh('out');
    expectBadInput(await runCli(['backtest', '--data', data, '--out', out]), message, out);
  });

  it('a binary file is shown as a short escaped excerpt, never as raw bytes', async () => {
    const binary = join(dir, 'binary.csv');
    writeFileSync(
      binary,
      Buffer.concat([
        Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0x1b, 0x5b, 0x32, 0x4a]),
        Buffer.alloc(300, 0x90),
      ]),
    );
    const out = fresh('out');
    const result = await runCli(['backtest', '--data', binary, '--out', out]);
    expectBadInput(
      result,
      /Error \[CSV_INVALID\]: .*binary\.csv:1: no column "open_time" for the open time: expected a header line naming the columns open_time,open,high,low,close,volume; the file starts with "\\x7FELF\\x02\\x01\\x01\\x00\\x1B\[2J\\x90/,
      out,
    );
    // Printable ASCII only (and the ellipsis of the excerpt): no escape sequence reaches the terminal.
    expect(result.stderr).toMatch(/^[\x20-\x7e\n…]*$/);
    expect(/"([^"]*)"\n/.exec(result.stderr)?.[1]?.match(/\\x[0-9A-F]{2}|[^\\]/g)?.length).toBeLessThanOrEqual(41);
  });
});

/** The repository's strategies with `edit` applied to the text. */
const strategiesWith = (name: string, edit: (text: string) => string): string =>
  file(name, edit(readFileSync(join(ROOT_CONF, 'strategies.yaml'), 'utf8')));
/** The repository's indicators with `edit` applied to the text. */
const indicatorsWith = (name: string, edit: (text: string) => string): string =>
  file(name, edit(readFileSync(join(ROOT_CONF, 'indicators.yaml'), 'utf8')));
/** A backtest of the small slice, writing to a fresh folder. */
const quick = (...args: string[]): { readonly args: string[]; readonly out: string } => {
  const out = fresh('out');
  return { args: ['backtest', '--data', slice, '--out', out, ...args], out };
};

describe('configuration, environment and strategy mistakes are refused with their place, and nothing is written', () => {
  it.each([
    [
      'fetch_interval: .inf (it hung live mode)',
      () => quick('--config', file('inf.yaml', 'services:\n  data_fetching:\n    fetch_interval: .inf\n')),
      /services\.data_fetching\.fetch_interval \(.*inf\.yaml:3:21\): expected a finite number, got Infinity/,
    ],
    [
      'a number beyond double range',
      () => quick('--config', file('huge.yaml', 'risk:\n  daily_loss_limit: 1e400\n')),
      /risk\.daily_loss_limit \(.*huge\.yaml:2:21\): expected a finite number, got Infinity/,
    ],
    [
      'a repeated timeframe',
      () => quick('--config', file('dup-tf.yaml', 'trading:\n  timeframes: [1m, 1m, 5m]\n')),
      /trading\.timeframes\.1 \(.*dup-tf\.yaml:2:20\): duplicate timeframe "1m"; the first is trading\.timeframes\.0 at line 2, column 16/,
    ],
    [
      'a section that is a list',
      () => quick('--config', file('list.yaml', 'risk: [1, 2]\n')),
      /risk \(.*list\.yaml:1:7\): expected a mapping \(key: value\), got a list/,
    ],
    [
      'an empty currency',
      () => quick('--config', file('currency.yaml', 'paper_broker:\n  currency: ""\n')),
      /paper_broker\.currency \(.*currency\.yaml:2:13\): expected a non-empty string/,
    ],
    [
      'a YAML alias bomb',
      () =>
        quick(
          '--config',
          file(
            'bomb.yaml',
            `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
              { length: 8 },
              (_, i) =>
                `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
                  .fill(`*${String.fromCharCode(97 + i)}`)
                  .join(',')}]`,
            ).join('\n')}\n`,
          ),
        ),
      /bomb\.yaml.*YAML aliases \(\*name\) expand to too much data/,
    ],
    [
      'a 2 MB configuration',
      () => quick('--config', file('big.yaml', `# ${'x'.repeat(2 * 1024 * 1024)}\n`)),
      /big\.yaml.*too large: \d+ bytes \(2\.0 MiB\); the limit is 1048576 bytes \(1\.0 MiB\)/,
    ],
    [
      '/dev/zero as the configuration',
      () => quick('--config', '/dev/zero'),
      /--config \/dev\/zero is a (character )?device: expected a regular file/,
    ],
    [
      'an unknown operator',
      () =>
        quick(
          '--strategies',
          strategiesWith('op.yaml', (text) => text.replace('op: ">", right: 20', 'op: "=>", right: 20')),
        ),
      /strategies\.0\.entry\.long\.all\.1\.op \(.*op\.yaml:\d+:\d+\): unknown operator "=>"; expected one of/,
    ],
    [
      'a duplicate strategy name',
      () =>
        quick(
          '--strategies',
          strategiesWith('dup-name.yaml', (text) => text.replace('name: rsi_reversion', 'name: ema_trend')),
        ),
      /strategies\.1\.name \(.*dup-name\.yaml:\d+:\d+\): duplicate strategy name "ema_trend"; the first is strategies\.0\.name at line 4/,
    ],
    [
      'a strategy on a timeframe that is not configured',
      () =>
        quick(
          '--strategies',
          strategiesWith('tf.yaml', (text) => text.replace('timeframe: 15m', 'timeframe: 30m')),
        ),
      /strategies\.0\.timeframe \(.*tf\.yaml:5:\d+\): timeframe 30m is not one of trading\.timeframes \(1m, 5m, 15m\)/,
    ],
    [
      'MACD fast >= slow',
      () =>
        quick(
          '--indicators',
          indicatorsWith('macd.yaml', (text) =>
            text.replace('indicators:\n', 'indicators:\n  - { name: m, type: macd, fast: 26, slow: 12, signal: 9 }\n'),
          ),
        ),
      /indicators\.0\.slow \(.*macd\.yaml:\d+:\d+\): expected fast < slow, got fast 26 and slow 12/,
    ],
    [
      'regime high_percentile below low_percentile',
      () =>
        quick(
          '--indicators',
          indicatorsWith('pct.yaml', (text) => text.replace('high_percentile: 80', 'high_percentile: 10')),
        ),
      /regime\.high_percentile \(.*pct\.yaml:\d+:\d+\): expected high_percentile >= low_percentile, got high_percentile 10 and low_percentile 20/,
    ],
  ])('%s', async (_name, make, message) => {
    const { args, out } = make();
    expectBadInput(await runCli(args), message, out);
  });

  it.each([
    [
      'a list from a variable blames the variable',
      { TRADING_TIMEFRAMES: '7x' },
      /trading\.timeframes\.0 \(env TRADING_TIMEFRAMES\): expected .*got "7x"/,
    ],
    [
      'a hex number in a variable',
      { RISK_MAX_POSITIONS: '0x10' },
      /risk\.max_positions \(env RISK_MAX_POSITIONS\): expected number, got "0x10"/,
    ],
  ])('%s', async (_name, env, message) => {
    const { args, out } = quick();
    expectBadInput(await runCli(args, env), message, out);
  });

  it('a .env line without "=" is reported with its line instead of swallowing the next variable', async () => {
    const project = fresh('dotenv');
    mkdirSync(project);
    writeFileSync(join(project, '.env'), 'TRADING_SYMBOL=BTCUSDT\nLOGGING_LEVEL\nRISK_MAX_POSITIONS=2\n');
    const { args, out } = quick('--config', join(ROOT, 'config', 'services.yaml'));
    const result = await runCli(args, {}, project);
    expectBadInput(result, /\.env:2.*expected NAME=value, found no "=" on this line/, out);
  });

  it('a .env that is a directory', async () => {
    const project = fresh('dotenv-dir');
    mkdirSync(join(project, '.env'), { recursive: true });
    const { args, out } = quick('--config', join(ROOT, 'config', 'services.yaml'));
    expectBadInput(await runCli(args, {}, project), /\.env.*the \.env file is a directory, not a regular file/, out);
  });
});

describe('warnings name their place, in backtest as in live', () => {
  const strategy = (enabled: boolean) =>
    `strategies:\n  - name: hold_forever\n    enabled: ${enabled}\n    timeframe: 15m\n    entry: { long: { left: rsi, op: "<", right: 30 } }\n    sizing: { type: fixed, quantity: 0.1 }\n`;

  it('a misspelt variable and a strategy that never exits', async () => {
    const { args } = quick('--strategies', file('never-exits.yaml', strategy(true)), '--to', '2023-03-01T00:30Z');
    const result = await runCli(args, { TRADING_SYMBL: 'ETHUSDT' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /WARNING .*environment variable TRADING_SYMBL matches no configuration key; did you mean TRADING_SYMBOL\?/,
    );
    expect(result.stdout).toMatch(
      /WARNING .*never-exits\.yaml:\d+:\d+: strategy "hold_forever" has no exit\.long, stop_loss or take_profit/,
    );
  });

  it('every strategy disabled', async () => {
    const { args } = quick('--strategies', file('all-disabled.yaml', strategy(false)), '--to', '2023-03-01T00:30Z');
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /WARNING .*all-disabled\.yaml:2:3: every strategy is disabled \(enabled: false\): the bot will not trade/,
    );
  });
});
