import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { choice, flag, section, text } from './fields.js';

/** Log levels after normalization, as `@quant/core`'s `LogManager` takes them. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

const ALIASES: Readonly<Record<string, string>> = { warning: 'warn', critical: 'error' };

/** A log level: `DEBUG`, `INFO`, `WARNING`, `ERROR` (the original names, any case), or `trace`, `warn`, `silent`. */
export const logLevelSchema = v.pipe(
  v.string(),
  v.transform((level) => ALIASES[level.trim().toLowerCase()] ?? level.trim().toLowerCase()),
  v.picklist(LOG_LEVELS),
);

/** `logging`: level, format and destinations of log lines. */
export const loggingSchema = section(
  {
    level: v.optional(v.pipe(logLevelSchema, v.description('Default log level.')), 'info'),
    format: choice(['text', 'json'], 'text', 'Human-readable text lines, or JSON lines for log aggregation.'),
    correlation_ids: flag(true, 'Include the correlation id in every line.'),
    file_output: flag(false, 'Also append lines to log_file.'),
    log_file: text('logs/trading_system.log', 'File that lines are appended to when file_output is true.'),
    service_levels: v.optional(
      v.pipe(
        v.record(v.string(), logLevelSchema),
        v.description('Log level per service, e.g. { DataFetchingService: DEBUG }.'),
      ),
      {},
    ),
  },
  'Logging.',
);

/** The validated `logging` section. */
export type LoggingConfig = DeepReadonly<v.InferOutput<typeof loggingSchema>>;
