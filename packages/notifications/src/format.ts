/**
 * How the notifications write figures: the one place for quantities, prices and amounts.
 * @internal
 */

/** A quantity or venue price as given, to 10 significant digits, without trailing zeros (`0.5`, `23627.62253`). */
export const quantity = (value: number): string => String(Number(value.toPrecision(10)));

/** An amount to the cent, e.g. a price in a table. */
export const cents = (value: number): string => value.toFixed(2);

/** An amount to the cent with its sign and currency: `+12.38 USDT`, `-58.50` (no currency when `null`). */
export const signedAmount = (value: number, currency: string | null | undefined): string =>
  `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(2)}${currency == null ? '' : ` ${currency}`}`;

/** An amount to the cent, signed only when negative, with its currency when known: `11.81 USDT`. */
export const amount = (value: number, currency: string | null | undefined): string =>
  `${value < 0 ? '-' : ''}${Math.abs(value).toFixed(2)}${currency == null ? '' : ` ${currency}`}`;
