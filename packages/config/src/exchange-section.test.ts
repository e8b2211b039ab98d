import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from './load-config.js';
import { failure } from './test-support.js';

const load = (env: Record<string, string>, path?: string) =>
  loadConfig({ cwd: '/nonexistent', env, ...(path === undefined ? {} : { path }) });

describe('the exchange section', () => {
  it('takes the API key and secret from the environment, and shows them redacted', () => {
    const loaded = load({
      EXCHANGE_API_KEY: 'key-AbCdEf123456',
      EXCHANGE_API_SECRET: 'sec-ZyXw987654',
      EXCHANGE_ID: 'kraken',
    });
    expect(loaded.config.exchange).toMatchObject({
      id: 'kraken',
      api_key: 'key-AbCdEf123456',
      api_secret: 'sec-ZyXw987654',
    });
    const shown = describeConfig(loaded).join('\n');
    expect(shown).toContain('exchange.api_key');
    expect(shown).not.toContain('key-AbCdEf123456');
    expect(shown).not.toContain('sec-ZyXw987654');
  });

  it('refuses an API key or secret written in the file, naming the place and the variable to use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quant-config-'));
    const file = join(dir, 'services.yaml');
    writeFileSync(file, 'exchange:\n  id: binance\n  api_key: key-AbCdEf123456\n  api_secret: sec-ZyXw987654\n');
    const error = failure(() => load({}, file));
    expect(error.issues).toEqual([
      {
        path: 'exchange.api_key',
        source: `${file}:3:12`,
        message:
          'expected from the environment only (EXCHANGE_API_KEY): a secret is never written in a configuration file',
      },
      {
        path: 'exchange.api_secret',
        source: `${file}:4:15`,
        message:
          'expected from the environment only (EXCHANGE_API_SECRET): a secret is never written in a configuration file',
      },
    ]);
    expect(error.message).not.toContain('key-AbCdEf123456');
  });

  it('refuses an id that is not a ccxt id and a URL that is not http(s)', () => {
    const error = failure(() => load({ EXCHANGE_ID: 'Binance US', EXCHANGE_URL: 'ftp://127.0.0.1' }));
    expect(error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['exchange.id', 'expected a ccxt exchange id in lower case, e.g. binance'],
      [
        'exchange.url',
        'expected an http:// or https:// URL (e.g. http://127.0.0.1:8080 for quant-bot exchange-sim), got "ftp://127.0.0.1"',
      ],
    ]);
  });
});
