import { REDACTED as CORE_REDACTED, SECRET_KEY_PATTERN } from '@quant/core';

/**
 * Key or variable names whose values are secrets: the one list of `@quant/core`
 * (its `SECRET_KEY_PATTERN`, the same `RegExp`): password, passphrase, secret,
 * token, api_key (apikey, api-key), private_key, credential(s), authorization.
 */
export const SECRET_NAME_PATTERN: RegExp = SECRET_KEY_PATTERN;

/** What a secret value is shown as: `[REDACTED]`, as in `@quant/core`'s logs. */
export const REDACTED: typeof CORE_REDACTED = CORE_REDACTED;

/**
 * Tells whether a dotted config path or an environment variable names a secret.
 * @param name - e.g. `broker.api_key`, `BROKER_API_KEY` or `exchange.private_key`.
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
