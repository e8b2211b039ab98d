import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REDACTED as CORE_REDACTED, SECRET_KEY_PATTERN } from '@quant/core';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from './env-file.js';
import { buildConfig, loadConfig } from './load-config.js';
import { MAX_FILE_BYTES } from './read-file.js';
import { isSecretName, REDACTED, SECRET_NAME_PATTERN } from './secrets.js';
import { failure, load, workdir } from './test-support.js';

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const mkfifo = (path: string): void => {
  execFileSync('mkfifo', [path]);
};

const BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  '',
].join('\n');

describe('files that could hang or exhaust memory', () => {
  it.skipIf(!hasMkfifo)('refuses a FIFO given as the configuration file without blocking', () => {
    const cwd = workdir();
    mkfifo(join(cwd, 'pipe.yaml'));
    const error = failure(() => loadConfig({ cwd, env: {}, path: 'pipe.yaml' }));
    expect(error.code).toBe('CONFIG_NOT_A_FILE');
    expect(error.issues).toEqual([
      { path: '', source: 'pipe.yaml', message: 'the configuration file is a FIFO (named pipe), not a regular file' },
    ]);
  });

  it.skipIf(!hasMkfifo)('refuses a FIFO at the default path too', () => {
    const cwd = workdir();
    mkdirSync(join(cwd, 'config'));
    mkfifo(join(cwd, 'config/services.yaml'));
    const error = failure(() => loadConfig({ cwd, env: {} }));
    expect(error.code).toBe('CONFIG_NOT_A_FILE');
    expect(error.issues[0]?.source).toBe('config/services.yaml');
  });

  it.skipIf(!existsSync('/dev/zero'))('refuses /dev/zero and a directory', () => {
    const zero = failure(() => load({}, {}, '/dev/zero'));
    expect(zero.code).toBe('CONFIG_NOT_A_FILE');
    expect(zero.issues).toEqual([
      { path: '', source: '/dev/zero', message: 'the configuration file is a character device, not a regular file' },
    ]);
    const cwd = workdir();
    mkdirSync(join(cwd, 'conf.yaml'));
    const directory = failure(() => loadConfig({ cwd, env: {}, path: 'conf.yaml' }));
    expect(directory.code).toBe('CONFIG_NOT_A_FILE');
    expect(directory.issues[0]?.message).toBe('the configuration file is a directory, not a regular file');
  });

  it('refuses a file over 1 MiB at once, naming its size and the limit', () => {
    const cwd = workdir();
    const path = join(cwd, 'big.yaml');
    writeFileSync(path, '');
    truncateSync(path, 50 * 1024 * 1024); // 50 MiB, sparse: refused from its size, never read
    const started = Date.now();
    const error = failure(() => loadConfig({ cwd, env: {}, path: 'big.yaml' }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('CONFIG_TOO_LARGE');
    expect(error.issues).toEqual([
      {
        path: '',
        source: 'big.yaml',
        message: 'the configuration file is too large: 52428800 bytes (50.0 MiB); the limit is 1048576 bytes (1.0 MiB)',
      },
    ]);
    expect(MAX_FILE_BYTES).toBe(1024 * 1024);
  });

  it('takes another limit, and accepts a file at the limit', () => {
    const yaml = `# ${'x'.repeat(100)}\nrisk:\n  max_positions: 2\n`;
    const cwd = workdir({ 'c.yaml': yaml });
    expect(loadConfig({ cwd, env: {}, path: 'c.yaml', maxFileBytes: yaml.length }).config.risk.max_positions).toBe(2);
    const error = failure(() => loadConfig({ cwd, env: {}, path: 'c.yaml', maxFileBytes: 100 }));
    expect(error.code).toBe('CONFIG_TOO_LARGE');
    expect(error.issues[0]?.message).toBe(
      `the configuration file is too large: ${yaml.length} bytes; the limit is 100 bytes`,
    );
  });

  it('refuses a file that is not UTF-8 text', () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'binary.yaml'), Buffer.from([0x72, 0x69, 0x73, 0x6b, 0x3a, 0xff, 0xfe, 0x0a]));
    const error = failure(() => loadConfig({ cwd, env: {}, path: 'binary.yaml' }));
    expect(error.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(error.issues).toEqual([
      { path: '', source: 'binary.yaml', message: 'cannot read the configuration file: it is not UTF-8 text' },
    ]);
  });

  it('turns a YAML alias bomb ("billion laughs") into a coded error naming the file', () => {
    const error = failure(() => load({ 'config/services.yaml': BOMB }));
    expect(error.code).toBe('CONFIG_YAML_ALIASES');
    expect(error.issues).toEqual([
      {
        path: '',
        source: 'config/services.yaml',
        message:
          'YAML aliases (*name) expand to too much data: more than 100 expansions, as in a "billion laughs" document; the first alias is at line 2, column 8',
      },
    ]);
  });

  it('still accepts a few aliases', () => {
    const { config } = load({
      'config/services.yaml': 'risk:\n  max_positions: &n 2\norchestrator:\n  max_restarts: *n\n',
    });
    expect(config.orchestrator.max_restarts).toBe(2);
  });
});

describe('.env that cannot be read', () => {
  it('names .env when it is a directory', () => {
    const cwd = workdir();
    mkdirSync(join(cwd, '.env'));
    const error = failure(() => loadConfig({ cwd, env: {} }));
    expect(error.code).toBe('CONFIG_NOT_A_FILE');
    expect(error.issues).toEqual([
      { path: '', source: '.env', message: 'the .env file is a directory, not a regular file' },
    ]);
  });

  it.skipIf(!hasMkfifo)('names .env when it is a FIFO', () => {
    const cwd = workdir();
    mkfifo(join(cwd, '.env'));
    const error = failure(() => loadConfig({ cwd, env: {} }));
    expect(error.code).toBe('CONFIG_NOT_A_FILE');
    expect(error.issues[0]?.message).toBe('the .env file is a FIFO (named pipe), not a regular file');
  });

  it.skipIf(process.getuid?.() === 0)('names .env when it cannot be read', () => {
    const cwd = workdir({ '.env': 'TRADING_SYMBOL=BTCUSDT\n' });
    chmodSync(join(cwd, '.env'), 0o000);
    const error = failure(() => loadConfig({ cwd, env: {} }));
    expect(error.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(error.issues[0]?.source).toBe('.env');
    expect(error.issues[0]?.message).toMatch(/^cannot read the \.env file: EACCES/);
  });
});

describe('values accepted silently before', () => {
  it.each([
    ['services:\n  data_fetching:\n    fetch_interval: .inf\n', 'services.data_fetching.fetch_interval', '3:21'],
    ['risk:\n  daily_loss_limit: 1e400\n', 'risk.daily_loss_limit', '2:21'],
    ['risk:\n  max_leverage: .Inf\n', 'risk.max_leverage', '2:17'],
    ['paper_broker:\n  initial_cash: -.inf\n', 'paper_broker.initial_cash', '2:17'],
    ['orchestrator:\n  max_restarts: .inf\n', 'orchestrator.max_restarts', '2:17'],
  ])('rejects a non-finite number: %j', (yaml, path, at) => {
    const error = failure(() => load({ 'config/services.yaml': yaml }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([
      {
        path,
        source: `config/services.yaml:${at}`,
        message: `expected a finite number, got ${yaml.includes('-.inf') ? '-Infinity' : 'Infinity'}`,
      },
    ]);
  });

  it('rejects a repeated timeframe at the repeat, naming the first', () => {
    const error = failure(() => load({ 'config/services.yaml': 'trading:\n  timeframes: [1m, 1m, 5m]\n' }));
    expect(error.issues).toEqual([
      {
        path: 'trading.timeframes.1',
        source: 'config/services.yaml:2:20',
        message: 'duplicate timeframe "1m"; the first is trading.timeframes.0 at line 2, column 16',
      },
    ]);
    // The original minute counts are the same timeframes.
    const mixed = failure(() => load({ 'config/services.yaml': 'trading:\n  timeframes:\n    - 5\n    - 5m\n' }));
    expect(mixed.issues[0]).toMatchObject({ path: 'trading.timeframes.1', source: 'config/services.yaml:4:7' });
    // An invalid item is reported as such, not also as a repeat.
    const invalid = failure(() => load({ 'config/services.yaml': 'trading:\n  timeframes: [7x, 7x]\n' }));
    expect(invalid.issues.map((issue) => issue.message)).toEqual([
      expect.stringMatching(/got "7x"$/),
      expect.stringMatching(/got "7x"$/),
    ]);
    const fromEnv = failure(() => load({}, { TRADING_TIMEFRAMES: '5m,15m,5m' }));
    expect(fromEnv.issues).toEqual([
      {
        path: 'trading.timeframes.2',
        source: 'env TRADING_TIMEFRAMES',
        message: 'duplicate timeframe "5m"; the first is trading.timeframes.0',
      },
    ]);
  });

  it('rejects a section given as a list', () => {
    const error = failure(() => load({ 'config/services.yaml': 'risk: [1, 2]\n' }));
    expect(error.issues).toEqual([
      { path: 'risk', source: 'config/services.yaml:1:7', message: 'expected a mapping (key: value), got a list' },
    ]);
    const nested = failure(() => load({ 'config/services.yaml': 'services:\n  data_fetching:\n    - enabled\n' }));
    expect(nested.issues).toEqual([
      {
        path: 'services.data_fetching',
        source: 'config/services.yaml:3:5',
        message: 'expected a mapping (key: value), got a list',
      },
    ]);
    const scalar = failure(() => load({ 'config/services.yaml': 'risk: 5\n' }));
    expect(scalar.issues).toEqual([
      { path: 'risk', source: 'config/services.yaml:1:7', message: 'expected a mapping (key: value), got 5' },
    ]);
  });

  it('rejects a hexadecimal number in a variable, naming the variable', () => {
    const error = failure(() =>
      load({}, { RISK_MAX_POSITIONS: '0x10', SERVICES_DATA_FETCHING_FETCH_INTERVAL: '1e400' }),
    );
    expect(error.issues).toEqual([
      {
        path: 'services.data_fetching.fetch_interval',
        source: 'env SERVICES_DATA_FETCHING_FETCH_INTERVAL',
        message: 'expected number, got "1e400"',
      },
      { path: 'risk.max_positions', source: 'env RISK_MAX_POSITIONS', message: 'expected number, got "0x10"' },
    ]);
    expect(load({}, { RISK_MAX_POSITION_SIZE: '.5', RISK_DAILY_LOSS_LIMIT: '1e3' }).config.risk).toMatchObject({
      max_position_size: 0.5,
      daily_loss_limit: 1000,
    });
  });
});

describe('.env lines', () => {
  it('reports a line without "=" as .env:LINE instead of swallowing the next variable', () => {
    const cwd = workdir({ '.env': '# settings\nTRADING_SYMBOL\nRISK_MAX_POSITIONS=4\n' });
    const error = failure(() => loadConfig({ cwd, env: {} }));
    expect(error.code).toBe('ENV_FILE_INVALID');
    expect(error.issues).toEqual([
      { path: '', source: '.env:2', message: 'expected NAME=value, found no "=" on this line' },
    ]);
  });

  it('reports every bad line, never printing a value', () => {
    const text = ['GOOD=1', 'sk-live-12345', 'MY VAR=2', '=3', 'QUOTED="a" trailing', 'OPEN="never closed', ''].join(
      '\n',
    );
    const error = failure(() => parseEnvFile(text, '.env'));
    expect(error.code).toBe('ENV_FILE_INVALID');
    expect(error.issues).toEqual([
      { path: '', source: '.env:2', message: 'expected NAME=value, found no "=" on this line' },
      {
        path: '',
        source: '.env:3',
        message: 'expected NAME=value with a NAME of letters, digits, _, . and - (not starting with a digit)',
      },
      { path: '', source: '.env:4', message: 'expected NAME=value, found no name before "="' },
      {
        path: '',
        source: '.env:5',
        message: `unexpected text after the closing " of QUOTED's value; put a # before a comment`,
      },
      { path: '', source: '.env:6', message: 'the value of OPEN opens a " quote that is never closed' },
    ]);
    expect(error.message).not.toContain('sk-live');
  });

  it('reads export, quotes, comments and multi-line values, with the line of each variable', () => {
    const env = parseEnvFile(
      [
        'export A=1',
        "B='two words' # comment",
        'C="line\\nbreak"',
        'D=plain # comment',
        'E=a#b',
        'F="first',
        'second"',
        'A=again',
        '',
      ].join('\n'),
      '.env',
    );
    expect(env.vars).toEqual({
      A: 'again',
      B: 'two words',
      C: 'line\nbreak',
      D: 'plain',
      E: 'a#b',
      F: 'first\nsecond',
    });
    expect(env.lines.get('F')).toBe(6);
    expect(env.warnings).toEqual(['.env:8: A is set again (first on line 1); the value of line 8 is used']);
  });

  it('names the .env line as the source of a bad value', () => {
    const error = failure(() => load({ '.env': '# risk\nRISK_MAX_POSITIONS=ten\n' }));
    expect(error.issues).toEqual([
      { path: 'risk.max_positions', source: '.env:2 RISK_MAX_POSITIONS', message: 'expected number, got "ten"' },
    ]);
  });
});

describe('messages', () => {
  it('says "expected a non-empty string" for an empty currency', () => {
    const error = failure(() => load({ 'config/services.yaml': 'paper_broker:\n  currency: ""\n' }));
    expect(error.issues).toEqual([
      { path: 'paper_broker.currency', source: 'config/services.yaml:2:13', message: 'expected a non-empty string' },
    ]);
  });

  it('blames the variable, not the file, for a bad item of a list set by a variable', () => {
    const error = failure(() =>
      load({ 'config/services.yaml': 'trading:\n  timeframes: [1m, 5m, 15m]\n' }, { TRADING_TIMEFRAMES: '1m,7x' }),
    );
    expect(error.issues).toEqual([
      {
        path: 'trading.timeframes.1',
        source: 'env TRADING_TIMEFRAMES',
        message: 'expected ("1m" | "3m" | "5m" | "15m" | "30m" | "1h" | "2h" | "4h" | "1d"), got "7x"',
      },
    ]);
  });

  it('puts the "did you mean" for a misspelt variable in the warnings of every load, with its place', () => {
    const { warnings } = load(
      { '.env': 'RISK_MAX_POSITONS=3\n', 'config/services.yaml': 'risk: {}\n' },
      {
        TRADING_SYMBL: 'BTCUSDT',
      },
    );
    expect(warnings).toEqual([
      'environment variable TRADING_SYMBL matches no configuration key; did you mean TRADING_SYMBOL?',
      'environment variable RISK_MAX_POSITONS (.env:1) matches no configuration key; did you mean RISK_MAX_POSITIONS?',
    ]);
  });
});

describe('secrets', () => {
  it('uses the one list of @quant/core: private_key, passphrase and credentials are secrets too', () => {
    expect(SECRET_NAME_PATTERN).toBe(SECRET_KEY_PATTERN);
    expect(REDACTED).toBe(CORE_REDACTED);
    for (const name of ['exchange.private_key', 'BROKER_PASSPHRASE', 'broker.credentials', 'API_KEY', 'password']) {
      expect(isSecretName(name)).toBe(true);
    }
    expect(isSecretName('trading.symbol')).toBe(false);
    const error = failure(() =>
      load({
        'config/services.yaml': 'logging:\n  service_levels:\n    private_key: s3cr3t\n    passphrase: hunter2\n',
      }),
    );
    expect(error.message).not.toMatch(/s3cr3t|hunter2/);
    expect(error.issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('[REDACTED]'),
      expect.stringContaining('[REDACTED]'),
    ]);
  });
});

describe('configuration built in code', () => {
  it('buildConfig validates a plain object and returns the frozen config, with no file, .env or warning', () => {
    const config = buildConfig({ trading: { symbol: 'BTCUSDT', timeframes: [5, '15m'] } });
    expect(config.trading).toEqual({
      bot_id: 'quant',
      symbol: 'BTCUSDT',
      symbols: ['BTCUSDT'],
      timeframes: ['5m', '15m'],
    });
    expect(config.services.data_fetching.fetch_interval).toBe(5);
    expect(Object.isFrozen(config.trading.timeframes)).toBe(true);
  });

  it('buildConfig reports every problem with its dotted path and source code', () => {
    const error = failure(() =>
      buildConfig({
        trading: { symbol: '', timeframes: ['5m', '5m'] },
        // @ts-expect-error: an unknown key, as a caller without types could pass
        risk: { max_positons: 2 },
        paper_broker: { initial_cash: Number.POSITIVE_INFINITY },
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([
      { path: 'risk.max_positons', source: 'code', message: 'unknown key; did you mean "max_positions"?' },
      {
        path: 'trading.symbol',
        source: 'code',
        message: 'expected a symbol of 1 to 40 letters, digits or ._/:- (e.g. BTCUSDT or BTC/USDT)',
      },
      { path: 'paper_broker.initial_cash', source: 'code', message: 'expected a finite number, got Infinity' },
      {
        path: 'trading.timeframes.1',
        source: 'code',
        message: 'duplicate timeframe "5m"; the first is trading.timeframes.0',
      },
    ]);
    const duplicate = failure(() => buildConfig({ trading: { timeframes: ['5m', '5m'] } }));
    expect(duplicate.issues).toEqual([
      {
        path: 'trading.timeframes.1',
        source: 'code',
        message: 'duplicate timeframe "5m"; the first is trading.timeframes.0',
      },
    ]);
    // @ts-expect-error: a section given as a list
    expect(failure(() => buildConfig({ risk: [1] })).issues).toEqual([
      { path: 'risk', source: 'code', message: 'expected a mapping (key: value), got a list' },
    ]);
  });

  it('loadConfig takes values in code: no file looked for, no warning, the environment still wins', () => {
    const cwd = workdir({ 'config/services.yaml': 'risk:\n  max_positions: 9\n' });
    const loaded = loadConfig({
      cwd,
      env: { TRADING_SYMBOL: 'ETHUSDT' },
      values: { trading: { symbol: 'BTCUSDT' }, risk: { max_position_size: 2 } },
    });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.file).toBeNull();
    expect(loaded.config.trading.symbol).toBe('ETHUSDT');
    expect(loaded.config.risk).toMatchObject({ max_positions: 10, max_position_size: 2 });
    expect(loaded.sources.get('risk.max_position_size')).toEqual({ kind: 'code' });
    // With a path, the values go over the file's.
    const layered = loadConfig({
      cwd,
      env: {},
      path: 'config/services.yaml',
      values: { risk: { max_position_size: 2 } },
    });
    expect(layered.config.risk).toMatchObject({ max_positions: 9, max_position_size: 2 });
    expect(layered.sources.get('risk.max_positions')).toMatchObject({ kind: 'file', line: 2 });
  });
});
