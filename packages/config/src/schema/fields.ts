import * as v from 'valibot';

/**
 * Field builders shared by the section schemas. Each field is optional with a
 * default and carries a description, which the configuration reference
 * (`docs/CONFIGURATION.md`) is generated from.
 */

/** A duration in seconds, > 0 and finite (`.inf` or `1e400` would make a loop wait forever). */
export const seconds = (defaultValue: number, description: string) =>
  v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0), v.description(description)), defaultValue);

/** A whole number >= `min`. */
export const count = (defaultValue: number, min: number, description: string) =>
  v.optional(v.pipe(v.number(), v.finite(), v.integer(), v.minValue(min), v.description(description)), defaultValue);

/** An amount >= 0 and finite (money in the quote currency, or a quantity in base units). */
export const amount = (defaultValue: number, description: string) =>
  v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.description(description)), defaultValue);

/** A boolean switch. */
export const flag = (defaultValue: boolean, description: string) =>
  v.optional(v.pipe(v.boolean(), v.description(description)), defaultValue);

/** One of a fixed list of strings. */
export const choice = <const T extends readonly [string, ...string[]]>(
  options: T,
  defaultValue: T[number],
  description: string,
) => v.optional(v.pipe(v.picklist(options), v.description(description)), defaultValue);

/** A non-empty string. */
export const text = (defaultValue: string, description: string) =>
  v.optional(v.pipe(v.string(), v.nonEmpty(), v.description(description)), defaultValue);

/** A section: an object of fields, defaulting to all its fields' defaults. */
export const section = <const E extends v.ObjectEntries>(entries: E, description: string) =>
  // `{}` is valid input for any section (every field has a default); the generic cannot see it.
  v.optional(v.pipe(v.object(entries), v.description(description)), {} as never);
