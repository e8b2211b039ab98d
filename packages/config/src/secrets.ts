/** Key or variable names whose values are secrets: password, secret, token, api_key (and apikey / api-key). */
export const SECRET_NAME_PATTERN = /password|secret|token|api[_-]?key/i;

/** What a secret value is shown as. */
export const REDACTED = '[REDACTED]';

/**
 * Tells whether a dotted config path or an environment variable names a secret.
 * @param name - e.g. `broker.api_key` or `BROKER_API_KEY`.
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}

/**
 * A copy of `value` with the value of every secret-named key replaced by
 * {@link REDACTED}, at any depth.
 * @param value - any JSON-like value.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, isSecretName(key) ? REDACTED : redactSecrets(child)]),
  );
}
