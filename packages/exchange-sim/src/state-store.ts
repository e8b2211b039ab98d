import Database from 'better-sqlite3';
import { ExchangeSimError } from './exchange-sim-error.js';

/** An accepted command, replayed in order on restart to rebuild the matcher. */
export interface StoredCommand {
  readonly apiKey: string;
  /** Exchange time when it was accepted, ms UTC. */
  readonly time: number;
  readonly kind: 'submit' | 'cancel';
  readonly payload: unknown;
}

/** A stored account: its key, secret and starting balances. */
export interface StoredAccount {
  readonly apiKey: string;
  readonly secret: string;
  readonly startingBalances: Readonly<Record<string, number>>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (api_key TEXT PRIMARY KEY, secret TEXT NOT NULL, starting_balances TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS balances (api_key TEXT NOT NULL, asset TEXT NOT NULL, total REAL NOT NULL,
  PRIMARY KEY (api_key, asset));
CREATE TABLE IF NOT EXISTS orders (api_key TEXT NOT NULL, order_id INTEGER NOT NULL, client_order_id TEXT NOT NULL,
  status TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (api_key, order_id));
CREATE TABLE IF NOT EXISTS trades (api_key TEXT NOT NULL, trade_id INTEGER NOT NULL, order_id INTEGER NOT NULL,
  time INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (api_key, trade_id));
CREATE TABLE IF NOT EXISTS commands (seq INTEGER PRIMARY KEY AUTOINCREMENT, api_key TEXT NOT NULL,
  time INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);
`;

/**
 * The exchange's state in its own SQLite file (or `:memory:`), written through as it changes: accounts, balances,
 * orders and trades as Binance reports them (readable with any SQLite client), and the log of accepted commands
 * that rebuilds the matcher on restart. Internal.
 */
export class StateStore {
  readonly #db: Database.Database;
  #replaying = false;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(file: string): StateStore {
    try {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      return new StateStore(db);
    } catch (error) {
      throw new ExchangeSimError('EXSIM_STATE_UNREADABLE', `cannot open the state file ${file}: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** While set, writes of derived rows are skipped (a replay regenerates rows already stored). */
  set replaying(value: boolean) {
    this.#replaying = value;
  }

  meta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  accounts(): StoredAccount[] {
    const rows = this.#db.prepare('SELECT api_key, secret, starting_balances FROM accounts').all() as {
      api_key: string;
      secret: string;
      starting_balances: string;
    }[];
    return rows.map((row) => ({
      apiKey: row.api_key,
      secret: row.secret,
      startingBalances: JSON.parse(row.starting_balances) as Record<string, number>,
    }));
  }

  addAccount(account: StoredAccount): void {
    this.#db
      .prepare('INSERT OR IGNORE INTO accounts (api_key, secret, starting_balances) VALUES (?, ?, ?)')
      .run(account.apiKey, account.secret, JSON.stringify(account.startingBalances));
  }

  commands(): StoredCommand[] {
    const rows = this.#db.prepare('SELECT api_key, time, kind, payload FROM commands ORDER BY seq').all() as {
      api_key: string;
      time: number;
      kind: 'submit' | 'cancel';
      payload: string;
    }[];
    return rows.map((row) => ({
      apiKey: row.api_key,
      time: row.time,
      kind: row.kind,
      payload: JSON.parse(row.payload) as unknown,
    }));
  }

  appendCommand(command: StoredCommand): void {
    if (this.#replaying) return;
    this.#db
      .prepare('INSERT INTO commands (api_key, time, kind, payload) VALUES (?, ?, ?, ?)')
      .run(command.apiKey, command.time, command.kind, JSON.stringify(command.payload));
  }

  putBalance(apiKey: string, asset: string, total: number): void {
    if (this.#replaying) return;
    this.#db
      .prepare(
        'INSERT INTO balances (api_key, asset, total) VALUES (?, ?, ?) ON CONFLICT(api_key, asset) DO UPDATE SET total = excluded.total',
      )
      .run(apiKey, asset, total);
  }

  putOrder(apiKey: string, orderId: number, clientOrderId: string, status: string, body: unknown): void {
    if (this.#replaying) return;
    this.#db
      .prepare(
        `INSERT INTO orders (api_key, order_id, client_order_id, status, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(api_key, order_id) DO UPDATE SET status = excluded.status, body = excluded.body`,
      )
      .run(apiKey, orderId, clientOrderId, status, JSON.stringify(body));
  }

  putTrade(apiKey: string, tradeId: number, orderId: number, time: number, body: unknown): void {
    if (this.#replaying) return;
    this.#db
      .prepare('INSERT OR REPLACE INTO trades (api_key, trade_id, order_id, time, body) VALUES (?, ?, ?, ?, ?)')
      .run(apiKey, tradeId, orderId, time, JSON.stringify(body));
  }

  /** Stored rows, for tests and inspection. */
  rows(table: 'orders' | 'trades' | 'balances'): unknown[] {
    return this.#db.prepare(`SELECT * FROM ${table}`).all();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
