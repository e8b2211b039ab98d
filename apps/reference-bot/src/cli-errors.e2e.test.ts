import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTCUSDT, runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-bad-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const head = readFileSync(BTCUSDT, 'utf8').split('\n').slice(0, 50);

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
    ['a bad --speed', ['live', '--speed', 'fast'], /--speed "fast" is not valid: expected a number > 0 or "max"/],
    ['a bad --from', ['backtest', '--from', 'yesterday'], /--from "yesterday" is not a date: expected YYYY-MM-DD/],
    ['a bad --log-level', ['backtest', '--log-level', 'loud'], /argument 'loud' is invalid. Allowed choices are/],
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
