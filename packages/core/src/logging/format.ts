import type { LogRecord } from './log-record.js';

/** Log line formats: human-readable `text` or `json` lines for log aggregation. */
export type LogFormat = 'text' | 'json';

const LEVEL_LABEL = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' } as const;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `2025-01-06 10:00:00.123`, UTC. */
function textTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Formats a record as the original system's text line:
 * `[2025-01-06 10:00:00.123] [a1b2c3d4] [DataFetchingService] INFO services.DataFetchingService: message key=value`.
 * The correlation id is shortened to its first 8 characters; `-` stands for
 * a missing one. The bracket after it names the service, or the logger when
 * it has no service.
 * @param record - the record.
 * @param withCorrelationId - whether to print the correlation id bracket.
 */
export function formatText(record: LogRecord, withCorrelationId = true): string {
  const correlation = withCorrelationId ? ` [${record.correlationId?.slice(0, 8) ?? '-'}]` : '';
  let line = `[${textTimestamp(record.timestamp)}]${correlation} [${record.service ?? record.logger}] ${LEVEL_LABEL[record.level]} ${record.logger}: ${record.message}`;
  if (record.fields) {
    for (const [key, value] of Object.entries(record.fields)) line += ` ${key}=${fieldText(value)}`;
  }
  return line;
}

/**
 * Formats a record as one JSON line with `timestamp` (ISO 8601, `+00:00`),
 * `level`, `logger`, `message`, `correlation_id`, `service` and the extra
 * fields, as in the original system. Extra fields never overwrite these keys.
 * @param record - the record.
 * @param withCorrelationId - whether to include `correlation_id`.
 */
export function formatJson(record: LogRecord, withCorrelationId = true): string {
  const line: Record<string, unknown> = { ...record.fields };
  line.timestamp = new Date(record.timestamp).toISOString().replace('Z', '+00:00');
  line.level = LEVEL_LABEL[record.level];
  line.logger = record.logger;
  line.message = record.message;
  if (withCorrelationId) line.correlation_id = record.correlationId ?? null;
  if (record.service !== undefined) line.service = record.service;
  return JSON.stringify(line);
}
