import type { IndicatorRow, RecentRows } from '@quant/core';

/**
 * The indicator rows of one series, kept so that each bar's
 * `IndicatorsCalculated` can carry its last `limit` rows without copying
 * them: rows are appended to a buffer that is never changed in place, and
 * {@link RowHistory.window} hands out an immutable view of its end. When the
 * buffer is full, a new one starts with the last rows (one copy per
 * `capacity - limit` bars); views of the old buffer stay valid, and the old
 * buffer is freed once no event refers to it.
 */
export class RowHistory {
  readonly #limit: number;
  readonly #capacity: number;
  #buffer: IndicatorRow[] = [];

  /** @param limit - rows per window (`recent_rows_limit`), >= 1. */
  constructor(limit: number) {
    this.#limit = limit;
    this.#capacity = Math.max(256, limit * 8);
  }

  /** Rows held, at most `limit`. */
  get length(): number {
    return Math.min(this.#buffer.length, this.#limit);
  }

  /**
   * Appends a row, frozen (its `values` too).
   * @param row - the newest bar's row.
   */
  push(row: IndicatorRow): void {
    if (this.#buffer.length === this.#capacity) this.#buffer = this.#buffer.slice(this.#capacity - (this.#limit - 1));
    Object.freeze(row.values);
    this.#buffer.push(Object.freeze(row));
  }

  /** The last `limit` rows as they are now, oldest first; it never changes afterwards. */
  window(): RecentRows {
    const end = this.#buffer.length;
    return new RowWindow(this.#buffer, Math.max(0, end - this.#limit), end);
  }
}

/** An immutable view of `rows[start, end)`; the owner never changes that range. */
class RowWindow implements RecentRows {
  readonly length: number;
  readonly #rows: readonly IndicatorRow[];
  readonly #start: number;

  constructor(rows: readonly IndicatorRow[], start: number, end: number) {
    this.#rows = rows;
    this.#start = start;
    this.length = end - start;
    Object.freeze(this);
  }

  at(index: number): IndicatorRow | undefined {
    // As Array.prototype.at: the index truncated toward zero (NaN is 0), counted from the end when negative.
    let offset = Math.trunc(index) || 0;
    if (offset < 0) offset += this.length;
    return offset >= 0 && offset < this.length ? this.#rows[this.#start + offset] : undefined;
  }

  *[Symbol.iterator](): Iterator<IndicatorRow> {
    for (let i = this.#start; i < this.#start + this.length; i++) yield this.#rows[i] as IndicatorRow;
  }

  /** The rows as an array: how `JSON.stringify` writes the window. */
  toJSON(): IndicatorRow[] {
    return this.#rows.slice(this.#start, this.#start + this.length);
  }
}
