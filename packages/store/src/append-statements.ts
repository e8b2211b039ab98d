import type { CompiledQuery, Kysely } from 'kysely';
import type { NewEventRow, StoreSchema } from './store-schema.js';

/** The columns of `events`, in the order of an insert's parameters, row after row. */
const EVENT_COLUMNS = [
  'seq',
  'id',
  'type',
  'stream',
  'schema_version',
  'timestamp',
  'correlation_id',
  'causation_id',
  'severity',
  'symbol',
  'strategy',
  'payload',
] as const satisfies readonly (keyof NewEventRow)[];

/** A row whose every value is a parameter (no null, which a compiler might inline), in column order. */
const TEMPLATE: NewEventRow = {
  seq: 0,
  id: '',
  type: '',
  stream: '',
  schema_version: 0,
  timestamp: 0,
  correlation_id: '',
  causation_id: '',
  severity: '',
  symbol: '',
  strategy: '',
  payload: '',
};

/** The most rows (or ids) in one statement: 12 × 512 parameters, under SQLite's and PostgreSQL's limits. */
const MAX_ROWS = 512;

/**
 * The append's statements, built and compiled by kysely once per size and then only given new parameters: a
 * replay appends the same sizes over and over, and building a 500-row insert costs about as much as running it.
 * A batch is split into parts of power-of-two sizes (at most {@link MAX_ROWS}), so few statements exist: at most
 * ten of each kind, each prepared once by the database.
 * @internal
 */
export class AppendStatements {
  readonly #db: Kysely<StoreSchema>;
  readonly #inserts = new Map<number, CompiledQuery>();
  readonly #lookups = new Map<number, CompiledQuery<{ id: string }>>();

  constructor(db: Kysely<StoreSchema>) {
    this.#db = db;
  }

  /** Inserts of `rows`, in order. */
  inserts(rows: readonly NewEventRow[]): CompiledQuery[] {
    return parts(rows).map((part) => {
      let compiled = this.#inserts.get(part.length);
      if (compiled === undefined) {
        compiled = this.#db
          .insertInto('events')
          .values(part.map(() => TEMPLATE))
          .compile();
        this.#inserts.set(part.length, compiled);
      }
      const parameters: unknown[] = [];
      for (const row of part) for (const column of EVENT_COLUMNS) parameters.push(row[column] ?? null);
      return { ...compiled, parameters };
    });
  }

  /** Selects of the ids among `ids` that the log holds. */
  lookups(ids: readonly string[]): CompiledQuery<{ id: string }>[] {
    return parts(ids).map((part) => {
      let compiled = this.#lookups.get(part.length);
      if (compiled === undefined) {
        compiled = this.#db.selectFrom('events').select('id').where('id', 'in', part).compile();
        this.#lookups.set(part.length, compiled);
      }
      return { ...compiled, parameters: part };
    });
  }
}

/** `items` cut into consecutive parts whose sizes are powers of two, at most {@link MAX_ROWS}, largest first. */
function parts<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  let start = 0;
  while (start < items.length) {
    let size = MAX_ROWS;
    while (size > items.length - start) size >>= 1;
    result.push(items.slice(start, start + size));
    start += size;
  }
  return result;
}
