import type { Broker } from '@quant/services';

/**
 * The moments of an order's life at which the kill test makes the bot kill itself (`QUANT_CHAOS_KILL`):
 * - `before_submit`: the order is persisted (`OrderSubmitted` committed) and about to be sent;
 * - `after_submit`: the venue took the order, before the bot applied or persisted its answer;
 * - `after_fills`: the venue reported fills, before the bot applied or persisted them.
 */
export const KILL_POINTS = ['before_submit', 'after_submit', 'after_fills'] as const;

/** One of {@link KILL_POINTS}. */
export type KillPoint = (typeof KILL_POINTS)[number];

/** The environment variable that arms a kill point (test only: the kill test sets it). */
export const CHAOS_KILL_VARIABLE = 'QUANT_CHAOS_KILL';

/**
 * The broker as it is, or — when `QUANT_CHAOS_KILL` names a kill point — one that SIGKILLs its own process the
 * first time an order reaches that point (for `after_fills`: a fill made after the process started, one it cannot
 * have recorded): how the kill test (`npm run chaos`) hits the narrow windows a random kill rarely does. Nothing
 * else changes.
 * @param broker - the venue's broker.
 * @param env - the process environment.
 * @param startedAt - when the process started, on the venue's clock (ms UTC).
 * @throws Error when the variable names no kill point.
 */
export function withChaos(broker: Broker, env: NodeJS.ProcessEnv, startedAt: number): Broker {
  const point = env[CHAOS_KILL_VARIABLE];
  if (point === undefined || point === '') return broker;
  if (!(KILL_POINTS as readonly string[]).includes(point)) {
    throw new Error(`${CHAOS_KILL_VARIABLE}="${point}" is not a kill point: expected one of ${KILL_POINTS.join(', ')}`);
  }
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable: the process was killed');
  };
  const { fetchPositions, subscribe } = broker;
  return {
    specificationVersion: broker.specificationVersion,
    capabilities: broker.capabilities,
    submitOrder: async (request) => {
      if (point === 'before_submit') die();
      const answer = await broker.submitOrder(request);
      if (point === 'after_submit') die();
      return answer;
    },
    cancelOrder: (symbol, clientOrderId) => broker.cancelOrder(symbol, clientOrderId),
    fetchOrder: (symbol, clientOrderId) => broker.fetchOrder(symbol, clientOrderId),
    fetchOpenOrders: (symbol) => broker.fetchOpenOrders(symbol),
    fetchFills: async (symbol, since) => {
      const fills = await broker.fetchFills(symbol, since);
      if (point === 'after_fills' && fills.some((fill) => fill.timestamp >= startedAt)) die();
      return fills;
    },
    fetchBalances: () => broker.fetchBalances(),
    ...(fetchPositions === undefined ? {} : { fetchPositions: () => fetchPositions.call(broker) }),
    ...(subscribe === undefined ? {} : { subscribe: (listener) => subscribe.call(broker, listener) }),
  };
}
