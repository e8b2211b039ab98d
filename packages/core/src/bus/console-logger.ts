import type { Logger, LogLevelName } from '../logging/log-record.js';

/**
 * The bus's logger when none is given: warnings go to `console.warn`, errors
 * to `console.error`, each prefixed `[EventBus]`; trace, debug and info are
 * dropped (so `logAllEvents` needs a real logger to show anything).
 * Structured fields are not printed: the messages carry what matters.
 */
export const consoleWarnLogger: Logger = Object.freeze({
  name: 'EventBus',
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    console.warn(`[EventBus] ${message}`);
  },
  error(message: string) {
    console.error(`[EventBus] ${message}`);
  },
  isLevelEnabled: (level: LogLevelName) => level === 'warn' || level === 'error',
});
