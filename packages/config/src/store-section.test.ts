import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { failure } from './test-support.js';

const load = (env: Record<string, string>) => loadConfig({ cwd: '/nonexistent', env });

describe('the store section', () => {
  it('defaults to a SQLite file, the trading events and synchronous normal', () => {
    expect(load({}).config.store).toEqual({
      url: 'data/quant.db',
      events: 'trading',
      synchronous: 'normal',
      retention_days: 30,
    });
  });

  it('takes STORE_URL, STORE_EVENTS and STORE_SYNCHRONOUS from the environment', () => {
    const { config, sources } = load({
      STORE_URL: 'postgres://bot@db.example:5432/quant',
      STORE_EVENTS: 'all',
      STORE_SYNCHRONOUS: 'full',
      STORE_RETENTION_DAYS: '7',
    });
    expect(config.store).toEqual({
      url: 'postgres://bot@db.example:5432/quant',
      events: 'all',
      synchronous: 'full',
      retention_days: 7,
    });
    expect(sources.get('store.url')).toMatchObject({ kind: 'env', name: 'STORE_URL' });
  });

  it.each([
    ['mysql://db/quant', 'expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got a mysql:// URL'],
    [
      'postgres://bot:hunter2@db/quant',
      'expected a postgres:// URL without a password: remove it and set PGPASSWORD in the environment',
    ],
    ['  ', 'expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got an empty text'],
  ])('refuses store.url %j, naming the key, what was expected, and never the password', (url, message) => {
    const error = failure(() => load({ STORE_URL: url }));
    expect(error.issues).toEqual([{ path: 'store.url', source: 'env STORE_URL', message }]);
    expect(JSON.stringify(error.issues)).not.toContain('hunter2');
  });

  it('refuses a store.events or store.synchronous outside its choices, and a negative store.retention_days', () => {
    const error = failure(() => load({ STORE_EVENTS: 'some', STORE_SYNCHRONOUS: 'extra', STORE_RETENTION_DAYS: '-1' }));
    expect(error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['store.events', 'expected ("trading" | "all"), got "some"'],
      ['store.synchronous', 'expected ("normal" | "full"), got "extra"'],
      ['store.retention_days', expect.stringContaining('0')],
    ]);
  });
});
