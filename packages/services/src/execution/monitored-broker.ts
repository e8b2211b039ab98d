import type { Clock, Fill } from '@quant/core';
import type {
  Balance,
  Broker,
  BrokerCapabilities,
  BrokerMethod,
  BrokerUpdate,
  SubmitOrderRequest,
  VenueOrder,
  VenuePosition,
} from '../ports/broker.js';
import { BrokerError } from './broker-error.js';

/** One call to the venue, as {@link BrokerCallStatus} remembers it. */
export interface BrokerCall {
  /** The method called. */
  readonly method: BrokerMethod;
  /** When it settled, ms since epoch UTC by the bot's clock. */
  readonly at: number;
  /** How long it took, wall-clock ms. */
  readonly latencyMs: number;
}

/** The last failed call: {@link BrokerCall} and why. */
export interface FailedBrokerCall extends BrokerCall {
  /** The {@link BrokerError} code (`unavailable`, `unknown_outcome`, `rate_limited`, …), or `error` for anything else. */
  readonly code: string;
  /** The error's message (a {@link BrokerError}'s never holds a credential). */
  readonly message: string;
}

/** What {@link MonitoredBroker.status} reports: how the venue has answered lately. */
export interface BrokerCallStatus {
  /** Calls made (settled), since the monitor was made. */
  readonly calls: number;
  /** Calls that rejected. */
  readonly failures: number;
  /** Rejections in a row since the last call that succeeded: 0 when the last call succeeded. */
  readonly consecutiveFailures: number;
  /** The last call that succeeded, or `null`. */
  readonly lastSuccess: BrokerCall | null;
  /** The last call that rejected, or `null`. */
  readonly lastFailure: FailedBrokerCall | null;
}

/**
 * A {@link Broker} that passes every call to another and remembers how the venue answered: the last success and
 * its latency, the last failure and its code, failures in a row. What the operations API's `/api/health/broker`
 * reports; it changes nothing in the calls (same results, same errors, same order).
 *
 * `rejected` and `insufficient_funds` are answers, not failures of the venue: the venue was reached and said no,
 * so they count as successful calls. `not_found` too (the venue answered that it has no such order).
 * @example
 * ```ts
 * import { LiveClock } from '@quant/core';
 * import { MonitoredBroker } from '@quant/services';
 *
 * const broker = new MonitoredBroker(myVenueBroker, new LiveClock());
 * // … createTradingSystem(config, { broker, … }); later:
 * const { lastSuccess, consecutiveFailures } = broker.status();
 * ```
 */
export class MonitoredBroker implements Broker {
  readonly #inner: Broker;
  readonly #clock: Pick<Clock, 'now'>;
  #calls = 0;
  #failures = 0;
  #consecutiveFailures = 0;
  #lastSuccess: BrokerCall | null = null;
  #lastFailure: FailedBrokerCall | null = null;

  /** {@inheritDoc Broker.fetchPositions} */
  readonly fetchPositions?: () => Promise<readonly VenuePosition[]>;
  /** {@inheritDoc Broker.subscribe} */
  readonly subscribe?: (listener: (update: BrokerUpdate) => void) => () => void;

  /**
   * @param inner - the broker that calls the venue.
   * @param clock - the bot's clock, for the times of the calls.
   */
  constructor(inner: Broker, clock: Pick<Clock, 'now'>) {
    this.#inner = inner;
    this.#clock = clock;
    const { fetchPositions, subscribe } = inner;
    if (fetchPositions !== undefined) {
      this.fetchPositions = () => this.#watch('fetchPositions', () => fetchPositions.call(inner));
    }
    if (subscribe !== undefined) this.subscribe = (listener) => subscribe.call(inner, listener);
  }

  /** {@inheritDoc Broker.specificationVersion} */
  get specificationVersion(): Broker['specificationVersion'] {
    return this.#inner.specificationVersion;
  }

  /** {@inheritDoc Broker.capabilities} */
  get capabilities(): BrokerCapabilities {
    return this.#inner.capabilities;
  }

  /** How the venue has answered: calls, failures, the last success and the last failure. */
  status(): BrokerCallStatus {
    return {
      calls: this.#calls,
      failures: this.#failures,
      consecutiveFailures: this.#consecutiveFailures,
      lastSuccess: this.#lastSuccess,
      lastFailure: this.#lastFailure,
    };
  }

  /** {@inheritDoc Broker.submitOrder} */
  submitOrder(request: SubmitOrderRequest): Promise<VenueOrder> {
    return this.#watch('submitOrder', () => this.#inner.submitOrder(request));
  }

  /** {@inheritDoc Broker.cancelOrder} */
  cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder> {
    return this.#watch('cancelOrder', () => this.#inner.cancelOrder(symbol, clientOrderId));
  }

  /** {@inheritDoc Broker.fetchOrder} */
  fetchOrder(symbol: string, clientOrderId: string): Promise<VenueOrder> {
    return this.#watch('fetchOrder', () => this.#inner.fetchOrder(symbol, clientOrderId));
  }

  /** {@inheritDoc Broker.fetchOpenOrders} */
  fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    return this.#watch('fetchOpenOrders', () => this.#inner.fetchOpenOrders(symbol));
  }

  /** {@inheritDoc Broker.fetchFills} */
  fetchFills(symbol: string, since: number): Promise<readonly Fill[]> {
    return this.#watch('fetchFills', () => this.#inner.fetchFills(symbol, since));
  }

  /** {@inheritDoc Broker.fetchBalances} */
  fetchBalances(): Promise<readonly Balance[]> {
    return this.#watch('fetchBalances', () => this.#inner.fetchBalances());
  }

  async #watch<T>(method: BrokerMethod, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      this.#succeeded(method, started);
      return result;
    } catch (error) {
      const answered =
        BrokerError.isInstance(error) &&
        (error.code === 'rejected' || error.code === 'insufficient_funds' || error.code === 'not_found');
      if (answered) this.#succeeded(method, started);
      else {
        this.#calls++;
        this.#failures++;
        this.#consecutiveFailures++;
        this.#lastFailure = {
          method,
          at: this.#clock.now(),
          latencyMs: performance.now() - started,
          code: BrokerError.isInstance(error) ? error.code : 'error',
          message: error instanceof Error ? error.message : String(error),
        };
      }
      throw error;
    }
  }

  #succeeded(method: BrokerMethod, started: number): void {
    this.#calls++;
    this.#consecutiveFailures = 0;
    this.#lastSuccess = { method, at: this.#clock.now(), latencyMs: performance.now() - started };
  }
}
