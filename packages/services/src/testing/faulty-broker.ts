import { BrokerError, type BrokerErrorCode } from '../execution/broker-error.js';
import type { Broker, BrokerMethod } from '../ports/broker.js';

/**
 * One scripted outcome of a {@link Broker} call:
 * - `'pass'`: call the venue as usual;
 * - `'network_error_before'`: throw a plain `Error('ECONNRESET')` without
 *   calling the venue (a transport error the caller has to normalise);
 * - `'timeout_after'`: call the venue, then throw a {@link BrokerError}
 *   `unknown_outcome` whatever it answered (for `submitOrder`: the order exists!);
 * - a {@link BrokerErrorCode}: throw a {@link BrokerError} with that code without calling the venue.
 */
export type BrokerFault = 'pass' | 'network_error_before' | 'timeout_after' | BrokerErrorCode;

/** The {@link Broker} methods a {@link faultyBroker} can fail: every one that calls the venue. */
export type FaultableMethod = BrokerMethod;

/**
 * A script of faults per method: each call takes the next entry of its
 * method's queue; once a queue is empty, calls pass through.
 */
export type BrokerFaults = { readonly [Method in FaultableMethod]?: readonly BrokerFault[] };

/**
 * Wraps a {@link Broker} so that its calls fail as scripted, for testing how
 * a bot copes with a venue that times out, drops connections or refuses.
 * `specificationVersion`, `capabilities` and `subscribe` are the wrapped
 * broker's.
 *
 * @param broker - the venue to wrap.
 * @param faults - per method, the outcomes of its next calls, one entry per call.
 * @returns a broker that plays the script, then behaves like `broker`.
 *
 * @example
 * ```ts
 * const broker = faultyBroker(exchange, { submitOrder: ['timeout_after', 'rate_limited'] });
 * await broker.submitOrder(request); // placed at the venue, but throws BrokerError 'unknown_outcome'
 * await broker.submitOrder(request); // throws BrokerError 'rate_limited', the venue is not called
 * await broker.submitOrder(request); // the venue answers: the order placed by the first call
 * ```
 */
export function faultyBroker(broker: Broker, faults: BrokerFaults): Broker {
  const queues = new Map<string, BrokerFault[]>(Object.entries(faults).map(([method, list]) => [method, [...list]]));

  const play = async <T>(method: FaultableMethod, call: () => Promise<T>): Promise<T> => {
    const fault = queues.get(method)?.shift() ?? 'pass';
    switch (fault) {
      case 'pass':
        return call();
      case 'network_error_before':
        throw new Error('ECONNRESET');
      case 'timeout_after': {
        const cause = await call().then(
          () => undefined,
          (error: unknown) => error,
        );
        throw new BrokerError('unknown_outcome', `${method}: timed out after sending (injected)`, { cause });
      }
      default:
        throw new BrokerError(fault, `${method}: ${fault} (injected)`);
    }
  };

  const { fetchPositions, subscribe } = broker;
  return {
    specificationVersion: broker.specificationVersion,
    capabilities: broker.capabilities,
    submitOrder: (request) => play('submitOrder', () => broker.submitOrder(request)),
    cancelOrder: (symbol, clientOrderId) => play('cancelOrder', () => broker.cancelOrder(symbol, clientOrderId)),
    fetchOrder: (symbol, clientOrderId) => play('fetchOrder', () => broker.fetchOrder(symbol, clientOrderId)),
    fetchOpenOrders: (symbol) => play('fetchOpenOrders', () => broker.fetchOpenOrders(symbol)),
    fetchFills: (symbol, since) => play('fetchFills', () => broker.fetchFills(symbol, since)),
    fetchBalances: () => play('fetchBalances', () => broker.fetchBalances()),
    ...(fetchPositions ? { fetchPositions: () => play('fetchPositions', () => fetchPositions.call(broker)) } : {}),
    ...(subscribe ? { subscribe: subscribe.bind(broker) } : {}),
  };
}
