import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@quant/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'quant-bot-store-e2e-'));
const db = join(dir, 'quant.db');

describe('quant-bot backtest --db and quant-bot db', () => {
  let stdout = '';
  beforeAll(async () => {
    const result = await runCli([
      'backtest',
      '--from',
      '2023-03-01',
      '--to',
      '2023-03-02',
      '--out',
      join(dir, 'report'),
      '--db',
      db,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`^Event store: ${db} \\(SQLite, trading events, run [0-9a-f-]{36}\\)$`, 'm'),
    );
    stdout = result.stdout;
  }, 60_000);

  it('persists the trading events in publish order, gap-free, with projections equal to a rebuild', async () => {
    const written = readFileSync(join(dir, 'report', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; type: string });
    expect(
      written.some((event) => event.type === 'OrderFilled'),
      'the range trades',
    ).toBe(true);
    const store = await EventStore.open(db);
    try {
      const page = await store.events({}, { limit: 10_000 });
      expect(page.next).toBeNull();
      // events.jsonl holds the same trading events, in the order the bus published them.
      expect(page.events.map((event) => event.id)).toEqual(written.map((event) => event.id));
      expect(page.events.map((event) => event.seq)).toEqual(page.events.map((_, index) => index + 1));
      expect(stdout).toContain(`Event store: ${written.length} events appended to ${db}`);
      const projected = {
        orders: await store.orders(),
        fills: await store.fills(),
        positions: await store.positions(),
      };
      expect(projected.fills.length).toBeGreaterThan(0);
      await store.rebuildProjections();
      expect({ orders: await store.orders(), fills: await store.fills(), positions: await store.positions() }).toEqual(
        projected,
      );
      expect((await store.runs()).map((run) => run.endReason)).toEqual(['clean']);
    } finally {
      await store.close();
    }
  });

  it('db status reports the database, schema version, events, last seq and runs', async () => {
    const store = await EventStore.open(db);
    const [lastSeq, runs] = [await store.lastSeq(), await store.runs()];
    await store.close();
    const result = await runCli(['db', 'status', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Database: ${db} (SQLite)\nSchema version: 0005_notification_outbox (5 migrations)\n`,
    );
    expect(result.stdout).toContain(`Events: ${lastSeq}\nLast seq: ${lastSeq}\nRuns: 1\n`);
    expect(result.stdout).toContain(`Last run: ${runs[0]?.runId} of quant, started `);
    expect(result.stdout).toMatch(/, ended clean at 20\d\d-/);
  });

  it('db backup copies a SQLite store, and db migrate reports the schema', async () => {
    const copy = join(dir, 'backups', 'copy.db');
    const backup = await runCli(['db', 'backup', copy, '--db', db]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(existsSync(copy)).toBe(true);
    const again = await runCli(['db', 'backup', copy, '--db', db]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`Error [STORE_BACKUP_FAILED]: the backup file ${copy} exists already`);
    const migrate = await runCli(['db', 'migrate', '--db', copy]);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('Schema: 0005_notification_outbox (5 migrations applied), up to date');
  });
});

describe('a bad event store exits 2 with a message, and no stack trace', () => {
  const out = join(dir, 'bad-report');
  it.each([
    [
      'a --db of another scheme',
      ['backtest', '--out', out, '--db', 'mysql://db/quant'],
      {},
      'Error [BAD_FLAG]: --db: expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got a mysql:// URL',
    ],
    [
      'a --db holding a password',
      ['backtest', '--out', out, '--db', 'postgres://bot:hunter2@127.0.0.1:5432/quant'],
      {},
      'Error [BAD_FLAG]: --db: expected a postgres:// URL without a password: remove it and set PGPASSWORD in the environment',
    ],
    [
      'a live --db of another scheme',
      ['live', '--speed', 'max', '--db', 'mysql://db/quant'],
      {},
      'Error [BAD_FLAG]: --db: expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got a mysql:// URL',
    ],
    [
      'an unreachable PostgreSQL',
      ['backtest', '--out', out, '--db', 'postgres://bot@127.0.0.1:1/quant'],
      {},
      'Error [STORE_UNREACHABLE]: cannot connect to PostgreSQL at postgres://bot@127.0.0.1:1/quant',
    ],
    [
      'an empty --db',
      ['backtest', '--out', out, '--db', ' '],
      {},
      'Error [BAD_FLAG]: --db: expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got an empty text',
    ],
    [
      'a STORE_URL of another scheme',
      ['live', '--speed', 'max'],
      { STORE_URL: 'mysql://db/quant' },
      'store.url (env STORE_URL): expected a SQLite file path (e.g. data/quant.db) or a postgres:// URL, got a mysql:// URL',
    ],
    [
      'db status on a file that does not exist',
      ['db', 'status', '--db', join(dir, 'none.db')],
      {},
      `Error [DB_NOT_FOUND]: no event store at ${join(dir, 'none.db')}`,
    ],
    [
      'db backup on PostgreSQL',
      ['db', 'backup', join(dir, 'pg.db'), '--db', 'postgres://bot@db.example:5432/quant'],
      {},
      'Error [BACKUP_UNSUPPORTED]: quant-bot db backup copies SQLite stores only; back up PostgreSQL with pg_dump, e.g. pg_dump --format=custom --file=quant.dump "postgres://bot@db.example:5432/quant"',
    ],
  ])(
    '%s',
    async (_, args, env, message) => {
      const result = await runCli(args, env as Record<string, string>);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('hunter2');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    },
    30_000,
  );
});

describe('runs across restarts', () => {
  const live = (db: string, env: Record<string, string> = {}) =>
    startCli(['live', '--speed', '60', '--db', db, '--log-level', 'warn'], env);

  it('ends a run clean on SIGTERM, and the next start says so', async () => {
    const db = join(dir, 'sigterm.db');
    const first = live(db);
    await first.waitFor('Live loop running (Ctrl+C to stop)');
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
    const second = live(db);
    await second.waitFor('Live loop running (Ctrl+C to stop)');
    expect(second.output()).toMatch(/Event store: the previous run \S+ of quant ended clean at 20\d\d-/);
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);
    const status = await runCli(['db', 'status', '--db', db]);
    expect(status.stdout).toMatch(/Runs: 2\nLast run: \S+ of quant, started \S+, ended clean at /);
  }, 60_000);

  it('reports a killed run as stale, and its next start records it as crashed', async () => {
    const db = join(dir, 'killed.db');
    const first = live(db);
    await first.waitFor('Live loop running (Ctrl+C to stop)');
    first.child.kill('SIGKILL');
    await first.done;
    // A millisecond without a heartbeat is stale here: the run never ended.
    const status = await runCli(['db', 'status', '--db', db], { RECOVERY_STALE_AFTER: '0.001' });
    expect(status.stdout).toContain('not ended, STALE: no heartbeat since');
    const second = live(db);
    await second.waitFor('Live loop running (Ctrl+C to stop)');
    expect(second.output()).toMatch(
      /the previous run \S+ of quant did not end: recorded as crashed at its last heartbeat/,
    );
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);
  }, 60_000);
});
