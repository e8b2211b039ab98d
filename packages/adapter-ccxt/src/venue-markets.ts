import { BrokerError } from '@quant/services';
import type { Exchange, MarketInterface as Market } from 'ccxt';

/** An order's size and prices after the venue's precision, ready to send. */
export interface FittedOrder {
  /** The venue's symbol, e.g. `BTC/USDT`. */
  readonly venueSymbol: string;
  /** Quantity cut down to the venue's lot size, base units. */
  readonly quantity: number;
  /** Limit price rounded to the venue's tick size, quote currency; `undefined` when none was given. */
  readonly limitPrice: number | undefined;
  /** Trigger price rounded to the tick size, quote currency; `undefined` when none was given. */
  readonly triggerPrice: number | undefined;
}

/**
 * The venue's spot markets, and the one place where the bot's symbols (`BTCUSDT`: base and quote run together)
 * meet the venue's (ccxt's unified `BTC/USDT`), and where an order is fitted to the market's precision and
 * minimums before it is sent.
 */
export class VenueMarkets {
  readonly #exchange: Exchange;
  readonly #byBotSymbol = new Map<string, Market>();
  readonly #botSymbolOf = new Map<string, string>();

  /** @param exchange - a ccxt exchange whose markets are loaded. */
  constructor(exchange: Exchange) {
    this.#exchange = exchange;
    for (const market of Object.values(exchange.markets ?? {})) {
      if (market === undefined || market.spot !== true) continue;
      const botSymbol = `${market.base}${market.quote}`.toUpperCase();
      // The first active market wins a clash (e.g. two listings of one pair): the bot's symbols must be unique.
      if (this.#byBotSymbol.has(botSymbol) && market.active === false) continue;
      this.#byBotSymbol.set(botSymbol, market);
      this.#botSymbolOf.set(market.symbol, botSymbol);
    }
  }

  /**
   * The venue's market of a bot symbol.
   * @param symbol - e.g. `BTCUSDT`.
   * @throws {@link @quant/services!BrokerError} `rejected` when the venue lists no spot market of that symbol.
   */
  market(symbol: string): Market {
    const market = this.#byBotSymbol.get(symbol.toUpperCase());
    if (market === undefined) {
      throw new BrokerError(
        'rejected',
        `${this.#exchange.id} lists no spot market ${symbol}: expected base and quote run together, e.g. BTCUSDT for BTC/USDT`,
      );
    }
    return market;
  }

  /** The venue's symbol of a bot symbol (`BTCUSDT` → `BTC/USDT`). @throws {@link @quant/services!BrokerError} `rejected`. */
  venueSymbol(symbol: string): string {
    return this.market(symbol).symbol;
  }

  /** The bot's symbol of a venue symbol (`BTC/USDT` → `BTCUSDT`); a symbol it does not know is returned as given. */
  botSymbol(venueSymbol: string): string {
    return this.#botSymbolOf.get(venueSymbol) ?? venueSymbol;
  }

  /**
   * Fits an order to its market: the quantity cut down to the lot size, prices rounded to the tick size, then
   * checked against the minimum (and maximum) quantity and, where a price is known, the minimum notional.
   * @param order - bot symbol, quantity (base units) and prices (quote currency).
   * @throws {@link @quant/services!BrokerError} `rejected` with what the venue requires when the order cannot meet it.
   */
  fit(order: {
    readonly symbol: string;
    readonly quantity: number;
    readonly limitPrice?: number | undefined;
    readonly triggerPrice?: number | undefined;
  }): FittedOrder {
    const market = this.market(order.symbol);
    const venueSymbol = market.symbol;
    const quantity = cutToLot(this.#exchange, venueSymbol, order.quantity);
    const price = (value: number | undefined) =>
      value === undefined ? undefined : Number(this.#exchange.priceToPrecision(venueSymbol, value));
    const limitPrice = price(order.limitPrice);
    const triggerPrice = price(order.triggerPrice);
    const unit = `${market.base}`;
    const { amount, cost } = market.limits;
    const step = market.precision.amount;
    const lot = step === undefined ? '' : ` (lot size ${step} ${unit})`;
    if (!(quantity > 0) || (amount?.min !== undefined && quantity < amount.min)) {
      throw new BrokerError(
        'rejected',
        `quantity ${order.quantity} ${unit} of ${order.symbol} is below ${this.#exchange.id}'s minimum ${amount?.min ?? step ?? 0} ${unit}${lot}`,
      );
    }
    if (amount?.max !== undefined && quantity > amount.max) {
      throw new BrokerError(
        'rejected',
        `quantity ${order.quantity} ${unit} of ${order.symbol} is above ${this.#exchange.id}'s maximum ${amount.max} ${unit}`,
      );
    }
    const reference = limitPrice ?? triggerPrice;
    if (reference !== undefined && cost?.min !== undefined && quantity * reference < cost.min) {
      throw new BrokerError(
        'rejected',
        `notional ${(quantity * reference).toFixed(8)} ${market.quote} of ${order.symbol} is below ${this.#exchange.id}'s minimum ${cost.min} ${market.quote}`,
      );
    }
    return { venueSymbol, quantity, limitPrice, triggerPrice };
  }
}

/** The quantity cut down to the lot size; 0 when it is below one lot (ccxt throws then). */
function cutToLot(exchange: Exchange, venueSymbol: string, quantity: number): number {
  try {
    return Number(exchange.amountToPrecision(venueSymbol, quantity));
  } catch {
    return 0;
  }
}
