const QUANT_ERROR_MARKER = '@quant/error';
const quantErrorSymbol = Symbol.for(QUANT_ERROR_MARKER);

/** Options accepted by every {@link @quant/core!QuantError} constructor. */
export interface QuantErrorOptions {
  /** The underlying error, kept as `error.cause`. */
  readonly cause?: unknown;
}

/**
 * Base class of every error thrown by the `@quant/*` packages.
 *
 * Each error carries a stable, machine-readable `code`; code that catches an
 * error narrows by `code`, never by message text. `cause` keeps the
 * underlying error.
 *
 * `instanceof` fails when two copies of a package are installed (each copy has
 * its own class), so use the static `isInstance` check instead: it looks for a
 * marker registered with `Symbol.for`, which is shared across copies.
 *
 * @typeParam C - the union of codes this error class can carry.
 */
export class QuantError<C extends string = string> extends Error {
  readonly [quantErrorSymbol] = true;

  /** A stable identifier of what went wrong, e.g. `'EVENT_QUEUE_FULL'`. */
  readonly code: C;

  /**
   * @param code - the stable error code.
   * @param message - a human-readable message: where the problem is and what was expected.
   * @param options - `cause`: the underlying error, if any.
   */
  constructor(code: C, message: string, options: QuantErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * Tells whether `value` is a {@link @quant/core!QuantError} from any installed copy of a `@quant/*` package.
   * @param value - anything that was thrown.
   */
  static isInstance(value: unknown): value is QuantError {
    return hasMarker(value, QUANT_ERROR_MARKER);
  }

  /**
   * Wraps anything thrown into a {@link @quant/core!QuantError}: a `QuantError` is returned as it is,
   * anything else becomes a `QuantError` with the given `code` and the original as `cause`.
   * @param value - the thrown value.
   * @param code - the code to use when `value` is not already a `QuantError`.
   */
  static from(value: unknown, code = 'UNKNOWN'): QuantError {
    if (QuantError.isInstance(value)) return value;
    const message = value instanceof Error ? value.message : String(value);
    return new QuantError(code, message, { cause: value });
  }
}

/**
 * Tells whether `value` is an object carrying the marker `Symbol.for(marker)`.
 * Subclasses of {@link @quant/core!QuantError} use it to implement their own `isInstance`.
 * @param value - anything.
 * @param marker - the marker's key, passed to `Symbol.for`.
 */
export function hasMarker(value: unknown, marker: string): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[Symbol.for(marker)] === true;
}
