import type { ConfigLeaf } from './schema/leaves.js';
import { closestMatch } from './suggest.js';

/** Where an environment value came from: the process environment or the `.env` file. */
export type EnvOrigin = 'process' | '.env';

/** An environment value applied to a config path. */
export interface EnvOverride {
  /** Dotted config path. */
  readonly path: string;
  /** The variable's name, e.g. `TRADING_SYMBOL` or the legacy `SYMBOL`. */
  readonly name: string;
  /** Where the variable was set. */
  readonly origin: EnvOrigin;
  /** The value, coerced by the leaf's kind when it could be (left as text otherwise, for validation to report). */
  readonly value: unknown;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
/** A decimal number: `5`, `-0.25`, `.5`, `1e3`; not `0x10`, `0b1`, `1_000`, `Infinity`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A finite decimal number's value, or the text unchanged (for validation to report). */
function coerceNumber(text: string): unknown {
  const number = Number(text);
  return DECIMAL.test(text) && Number.isFinite(number) ? number : text;
}

/**
 * Coerces an environment variable's text to the leaf's type: finite decimal
 * numbers (not hexadecimal `0x10`, binary, octal or `Infinity`), booleans
 * (`true/false/1/0/yes/no/on/off`), comma lists, `name=value` maps (their values as numbers when the map holds numbers).
 * Text that does not fit is returned unchanged, so validation reports it.
 * @param raw - the variable's value.
 * @param leaf - the config value it overrides.
 */
export function coerceEnvValue(raw: string, leaf: ConfigLeaf): unknown {
  const text = raw.trim();
  switch (leaf.kind) {
    case 'number':
    case 'integer':
      return DECIMAL.test(text) ? coerceNumber(text) : raw;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      return raw;
    }
    case 'list':
      return text === '' ? [] : text.split(',').map((item) => item.trim());
    case 'map':
      return Object.fromEntries(
        text
          .split(',')
          .filter((entry) => entry.trim() !== '')
          .map((entry) => {
            const [key = '', ...rest] = entry.split('=');
            const value = rest.join('=').trim();
            return [key.trim(), leaf.numericValues ? coerceNumber(value) : value];
          }),
      );
    default:
      return text;
  }
}

/**
 * The environment overrides for `leaves`: each leaf's variable, or its legacy
 * variable when only that one is set. Process variables win over `.env` ones.
 * @param leaves - the config's leaves.
 * @param processEnv - the process environment.
 * @param dotEnv - variables read from `.env`.
 */
export function envOverrides(
  leaves: readonly ConfigLeaf[],
  processEnv: Readonly<Record<string, string | undefined>>,
  dotEnv: Readonly<Record<string, string>>,
): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const leaf of leaves) {
    for (const name of [leaf.envVar, ...leaf.legacyEnvVars]) {
      const fromProcess = processEnv[name];
      const raw = fromProcess ?? dotEnv[name];
      if (raw === undefined) continue;
      overrides.push({
        path: leaf.path,
        name,
        origin: fromProcess === undefined ? '.env' : 'process',
        value: coerceEnvValue(raw, leaf),
      });
      break;
    }
  }
  return overrides;
}

/**
 * Warnings for variables that look meant for the config (they start with a
 * section's prefix, e.g. `RISK_`) but match no key, with a suggestion.
 * @param leaves - the config's leaves.
 * @param names - the variable names set.
 * @param placeOf - where a variable was set, when not in the process environment, e.g. `.env:4`.
 */
export function unknownEnvWarnings(
  leaves: readonly ConfigLeaf[],
  names: Iterable<string>,
  placeOf: (name: string) => string | undefined = () => undefined,
): string[] {
  const known = new Set(leaves.flatMap((leaf) => [leaf.envVar, ...leaf.legacyEnvVars]));
  const prefixes = [...new Set(leaves.map((leaf) => `${leaf.path.split('.')[0]?.toUpperCase()}_`))];
  const warnings: string[] = [];
  for (const name of names) {
    if (known.has(name) || !prefixes.some((prefix) => name.startsWith(prefix))) continue;
    const suggestion = closestMatch(name, [...known]);
    const place = placeOf(name);
    warnings.push(
      `environment variable ${name}${place ? ` (${place})` : ''} matches no configuration key${
        suggestion ? `; did you mean ${suggestion}?` : ''
      }`,
    );
  }
  return warnings;
}
