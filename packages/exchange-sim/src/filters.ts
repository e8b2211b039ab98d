import { reject } from './binance-rejection.js';

/**
 * The symbol's trading filters, served in `exchangeInfo` and enforced on new orders (Binance error -1013
 * `Filter failure: …`). Prices in the quote currency, quantities in base units.
 */
export interface SymbolFilters {
  /** PRICE_FILTER: prices (limit and stop prices) are multiples of this above `minPrice`; 0.01 by default. */
  readonly tickSize: number;
  /** PRICE_FILTER: the lowest price accepted; 0.01 by default. */
  readonly minPrice: number;
  /** PRICE_FILTER: the highest price accepted; 1 000 000 by default. */
  readonly maxPrice: number;
  /** LOT_SIZE: quantities are multiples of this above `minQty`; 0.00001 by default. */
  readonly stepSize: number;
  /** LOT_SIZE: the smallest quantity accepted; 0.00001 by default. */
  readonly minQty: number;
  /** LOT_SIZE: the largest quantity accepted; 9 000 by default. */
  readonly maxQty: number;
  /** NOTIONAL: the smallest `price × quantity` accepted (market orders at the last price); 5 by default. */
  readonly minNotional: number;
  /** NOTIONAL: the largest `price × quantity` of limit orders; 9 000 000 by default. */
  readonly maxNotional: number;
}

/** Binance's BTCUSDT spot filters (2023). */
export const DEFAULT_FILTERS: SymbolFilters = Object.freeze({
  tickSize: 0.01,
  minPrice: 0.01,
  maxPrice: 1_000_000,
  stepSize: 0.00001,
  minQty: 0.00001,
  maxQty: 9_000,
  minNotional: 5,
  maxNotional: 9_000_000,
});

/** Whether `value - origin` is a whole multiple of `step` (to float precision). */
function onStep(value: number, origin: number, step: number): boolean {
  const steps = (value - origin) / step;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** Binance's 8-decimal string. */
export function decimal8(value: number): string {
  return (Object.is(value, -0) ? 0 : value).toFixed(8);
}

/** The `filters` array of `exchangeInfo`. */
export function filtersJson(filters: SymbolFilters): unknown[] {
  return [
    {
      filterType: 'PRICE_FILTER',
      minPrice: decimal8(filters.minPrice),
      maxPrice: decimal8(filters.maxPrice),
      tickSize: decimal8(filters.tickSize),
    },
    {
      filterType: 'LOT_SIZE',
      minQty: decimal8(filters.minQty),
      maxQty: decimal8(filters.maxQty),
      stepSize: decimal8(filters.stepSize),
    },
    {
      filterType: 'NOTIONAL',
      minNotional: decimal8(filters.minNotional),
      applyMinToMarket: true,
      maxNotional: decimal8(filters.maxNotional),
      applyMaxToMarket: false,
      avgPriceMins: 5,
    },
  ];
}

/**
 * Checks an order against the filters, in Binance's order: PRICE_FILTER (limit and stop prices), LOT_SIZE,
 * NOTIONAL (`notionalPrice`: the limit price, or the last price for market-like orders).
 * @throws BinanceRejection -1013 naming the filter.
 */
export function checkFilters(
  filters: SymbolFilters,
  order: { quantity: number; prices: readonly number[]; notionalPrice: number; market: boolean },
): void {
  for (const price of order.prices) {
    if (price < filters.minPrice || price > filters.maxPrice || !onStep(price, filters.minPrice, filters.tickSize)) {
      throw reject.filter('PRICE_FILTER');
    }
  }
  const { quantity } = order;
  if (quantity < filters.minQty || quantity > filters.maxQty || !onStep(quantity, filters.minQty, filters.stepSize)) {
    throw reject.filter('LOT_SIZE');
  }
  const notional = quantity * order.notionalPrice;
  if (notional < filters.minNotional || (!order.market && notional > filters.maxNotional)) {
    throw reject.filter('NOTIONAL');
  }
}
