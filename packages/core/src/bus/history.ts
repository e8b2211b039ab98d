/**
 * A fixed-size ring buffer of the most recent items: pushing past the
 * capacity overwrites the oldest.
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  /** @param capacity - how many items to keep, >= 0 (0 keeps nothing). */
  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Number of items held, at most `capacity`. */
  get size(): number {
    return this.#size;
  }

  /** Adds an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.capacity === 0) return;
    this.#items[this.#next] = item;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    if (this.#size < this.capacity) this.#size++;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const start = this.#size < this.capacity ? 0 : this.#next;
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(start + i) % this.capacity] as T);
    return out;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
