import { hasMarker, QuantError, type QuantErrorOptions } from '@quant/core';

const MARKER = '@quant/services.ServicesError';
const marker = Symbol.for(MARKER);

/**
 * Codes of {@link ServicesError}:
 * - `CSV_UNREADABLE`: the CSV file cannot be opened or read (missing, no permission);
 * - `CSV_NOT_A_FILE`: the CSV path is a directory, a FIFO, a device or a socket, not a regular file;
 * - `CSV_INVALID`: a row or the header is malformed, or the file is not CSV text (the message
 *   names `file:line`, the column and what was expected, quoting the file only as a short escaped excerpt);
 * - `UNKNOWN_SYMBOL`: a data source was asked for a symbol it does not serve;
 * - `INVALID_ANALYSIS_INPUT`: a run cannot be analyzed (`analyzeRun`): no initial equity or one not
 *   above 0, periods per year not above 0, or a benchmark close that is not a price above 0.
 */
export type ServicesErrorCode =
  | 'CSV_UNREADABLE'
  | 'CSV_NOT_A_FILE'
  | 'CSV_INVALID'
  | 'UNKNOWN_SYMBOL'
  | 'INVALID_ANALYSIS_INPUT';

/** Errors of `@quant/services`, with a stable `code`. */
export class ServicesError extends QuantError<ServicesErrorCode> {
  readonly [marker] = true;
  /** The file concerned, if any. */
  readonly file: string | undefined;
  /** The 1-based line concerned, if any. */
  readonly line: number | undefined;

  /**
   * @param code - the stable error code.
   * @param message - what is wrong and where.
   * @param options - `file`, `line` and `cause`.
   */
  constructor(
    code: ServicesErrorCode,
    message: string,
    options: QuantErrorOptions & { readonly file?: string; readonly line?: number } = {},
  ) {
    super(code, message, options);
    this.file = options.file;
    this.line = options.line;
  }

  /** {@inheritDoc @quant/core!QuantError.isInstance} */
  static override isInstance(value: unknown): value is ServicesError {
    return hasMarker(value, MARKER);
  }
}
