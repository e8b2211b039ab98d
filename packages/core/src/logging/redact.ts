/**
 * Keys whose values are secrets: passwords and passphrases, secrets, tokens,
 * API keys, private keys, credentials, authorization. The one list of the
 * project: `@quant/config` redacts configuration keys and variables with it too.
 */
export const SECRET_KEY_PATTERN =
  /pass(word|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential|authorization/i;

/** What a secret value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Returns a copy of `value` in which the value of every key that looks like a
 * secret ({@link SECRET_KEY_PATTERN}) is replaced by {@link REDACTED}, at any depth.
 * @param value - any JSON-like value; it is not modified.
 */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY_PATTERN.test(key) ? REDACTED : redactValue(item, seen);
  }
  return out;
}
