import { ConfigError, formatConfigError } from '@quant/config';
import { QuantError } from '@quant/core';

/** Thrown for a bad command line or missing input: the message is shown as it is, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Formats an error for the terminal. Bad input (configuration, strategy or
 * indicator files, data files, flags) gets its message, which names the file,
 * line or key; anything else is an internal error. The stack is shown only
 * when `debug` is set.
 * @returns the text to print and the exit code: 2 for bad input, 1 otherwise.
 */
export function describeFailure(error: unknown, debug: boolean): { readonly text: string; readonly exitCode: number } {
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  if (ConfigError.isInstance(error)) return { text: `${formatConfigError(error)}${stack}`, exitCode: 2 };
  if (error instanceof UsageError) return { text: `Error: ${error.message}${stack}`, exitCode: 2 };
  if (QuantError.isInstance(error)) {
    const badInput = error.code.startsWith('CSV_') || error.code === 'UNKNOWN_SYMBOL';
    return { text: `Error [${error.code}]: ${error.message}${stack}`, exitCode: badInput ? 2 : 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    text: `Internal error: ${message}${stack || (error instanceof Error && error.stack ? `\n${error.stack}` : '')}`,
    exitCode: 1,
  };
}
