import type {
  ExternalOrder,
  Fill,
  Order,
  OrderStatus,
  ReconciliationMismatch,
  TradingEventPayloads,
} from '@quant/core';
import type { Balance, Broker, VenueOrder, VenuePosition } from '../ports/broker.js';
import { type BalanceBook, baseCurrencyOf, withinTolerance } from './balance-book.js';
import { BrokerError } from './broker-error.js';
import { ExecutionError } from './execution-error.js';
import type { PositionLedger } from './position-ledger.js';

/** How the executor reconciles with the venue (the `recovery` section). */
export interface RecoverySettings {
  /** What an unconfirmed balance or position does: `halt` (the default) or `adopt`. */
  readonly onMismatch: 'halt' | 'adopt';
  /** Allowed difference of a balance, basis points of the larger amount; 10 by default. */
  readonly balanceToleranceBps: number;
  /** Ms between checks of open orders and balances while running; 300 000 by default. */
  readonly reconcileIntervalMs: number;
  /** Whether open venue orders the bot did not place are cancelled; `false` (never touched) by default. */
  readonly cancelExternalOrders: boolean;
}

/** The defaults of {@link RecoverySettings}, those of the `recovery` section. */
export const DEFAULT_RECOVERY: RecoverySettings = {
  onMismatch: 'halt',
  balanceToleranceBps: 10,
  reconcileIntervalMs: 300_000,
  cancelExternalOrders: false,
};

/** What a fill did when the executor applied it. */
export type FillResult = 'new' | 'known' | 'foreign';

/** What the reconciler needs from the executor that owns the orders (the order manager). */
export interface ReconcilerHost {
  readonly botId: string;
  readonly broker: Broker;
  readonly ledger: PositionLedger;
  readonly balances: BalanceBook;
  /** The symbols the bot trades (fills are asked for each). */
  readonly symbols: readonly string[];
  readonly now: () => number;
  readonly warn: (message: string) => void;
  readonly publish: <K extends keyof TradingEventPayloads>(type: K, payload: TradingEventPayloads[K]) => void;
  /** Runs a venue read with the executor's deadline. @throws {@link BrokerError} */
  readonly read: <T>(what: string, call: () => Promise<T>) => Promise<T>;
  readonly working: () => Order[];
  readonly get: (clientOrderId: string) => Order | undefined;
  readonly applyVenueOrder: (venue: VenueOrder) => void;
  readonly applyFill: (fill: Fill) => FillResult;
  /**
   * An order recorded `submitting` or `unknown` that the venue does not find: `unknown`, and `rejected` once the
   * venue has not found it for the grace period since it was recorded (a venue lists a new order after a delay).
   */
  readonly notFound: (order: Order) => void;
  readonly cancel: (symbol: string, clientOrderId: string) => Promise<void>;
  /** Ends an order the venue acknowledged and no longer has (`adopt`): `cancelled`. */
  readonly forget: (clientOrderId: string) => void;
  /** Changes the bot's position in a symbol by `quantity` (signed base units) to match the venue. */
  readonly adopt: (symbol: string, quantity: number) => void;
}

/** Allowance for clocks and late-booked fills when fills are asked for again, ms. */
export const FILL_OVERLAP_MS = 60_000;
/** Rounds of fills-then-balances before a balance check is given up as racing the venue's fills. */
const SETTLE_ROUNDS = 3;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

type Summary = TradingEventPayloads['ReconciliationCompleted'];

/** What a check found in the fills: the bot's fills the record lacked, and the new external fills. */
interface Tally {
  recovered: number;
  readonly external: Fill[];
}

/**
 * Compares the bot's record with the venue and applies what the venue knows and the bot does not — at start,
 * before the first cycle ({@link Reconciler.startup}), and every `reconcileIntervalMs` while running
 * ({@link Reconciler.periodic}):
 *
 * 1. every order the record holds as working or unknown is asked for by client order id: a venue report moves it
 *    on (fills, cancels while the bot was down, published as events); one the venue never received is rejected;
 *    one it acknowledged and no longer finds is a mismatch;
 * 2. the fills since the baseline (at start) or since the last check, with an overlap, deduplicated by fill id:
 *    the bot's are applied (`OrderFilled`, positions), others counted as external;
 * 3. the open orders: those the bot did not place are external (never touched unless `cancelExternalOrders`);
 *    one with the bot's prefix the record lacks is a mismatch;
 * 4. the balances (spot) or positions (derivatives) against the expectation, within the tolerance — asked after
 *    the fills and checked again until no new fill arrives in between, so a fill in flight is not a mismatch;
 * 5. on a mismatch: `halt` (no new order until a restart) or `adopt` (the venue's quantities become the bot's).
 *
 * Publishes `ReconciliationCompleted`. Not exported: the executor runs it.
 */
export class Reconciler {
  readonly #host: ReconcilerHost;
  readonly #settings: RecoverySettings;
  /** Why trading is halted, once it is. */
  #halt: string | undefined;
  #lastCheck = Number.NEGATIVE_INFINITY;
  #fillsSince = Number.NEGATIVE_INFINITY;
  readonly #externalFills = new Set<string>();
  readonly #externalOrders = new Set<string>();
  /** Net quantity of the external fills, by symbol (signed base units). */
  readonly #externalNet = new Map<string, number>();

  constructor(host: ReconcilerHost, settings: RecoverySettings) {
    this.#host = host;
    this.#settings = settings;
  }

  /** Why the bot places no new order, once a mismatch halted it. */
  get halted(): string | undefined {
    return this.#halt;
  }

  /**
   * The reconciliation at start.
   * @param previousRun - how the previous run ended, when known.
   * @param restored - what was rebuilt from the record.
   * @param since - the fills from this time on are asked for, ms UTC (see {@link OrderManager.restore}).
   * @throws {@link ExecutionError} `RECONCILIATION_FAILED` when the venue does not answer.
   */
  async startup(
    previousRun: Summary['previousRun'],
    restored: { readonly orders: number; readonly positions: number },
    since: number,
  ): Promise<Summary> {
    this.#fillsSince = since;
    try {
      const summary = await this.#check('startup', previousRun, restored);
      this.#lastCheck = this.#host.now();
      return summary;
    } catch (error) {
      throw new ExecutionError(
        'RECONCILIATION_FAILED',
        `the venue did not answer reconciliation (${messageOf(error)}): the bot does not trade on a state it could not check`,
        { cause: error },
      );
    }
  }

  /**
   * The check while running, once `reconcileIntervalMs` has passed since the last; publishes
   * `ReconciliationCompleted` only when it found something.
   * @returns a promise settled when done, or nothing when it is not time yet.
   */
  periodic(): Promise<void> | undefined {
    const now = this.#host.now();
    if (now - this.#lastCheck < this.#settings.reconcileIntervalMs) return undefined;
    this.#lastCheck = now;
    return this.#check('runtime', null, { orders: 0, positions: 0 }).then(
      () => undefined,
      (error: unknown) =>
        this.#host.warn(`Reconciliation with the venue failed: ${messageOf(error)}; trying again later`),
    );
  }

  async #check(
    phase: Summary['phase'],
    previousRun: Summary['previousRun'],
    restored: { readonly orders: number; readonly positions: number },
  ): Promise<Summary> {
    const host = this.#host;
    const mismatches: ReconciliationMismatch[] = [];
    const before = new Map<string, OrderStatus>(host.working().map((order) => [order.clientOrderId, order.status]));
    if (phase === 'startup') await this.#askForOrders(mismatches);
    const tally: Tally = { recovered: 0, external: [] };
    const externalOrders = await this.#openOrders(mismatches);
    const settled = await this.#settledComparison(tally);
    if (settled !== undefined) mismatches.push(...settled.mismatches);
    let action: Summary['action'] = 'trade';
    if (mismatches.length > 0) {
      action = this.#settings.onMismatch;
      if (action === 'adopt') {
        this.#adopt(mismatches, settled?.balances);
      } else {
        this.#halt = mismatches.map((mismatch) => mismatch.message).join('; ');
        host.warn(`Trading halted: the venue and the bot's record differ: ${this.#halt}`);
      }
    }
    const ordersResolved = [...before]
      .map(([clientOrderId, from]) => ({ clientOrderId, from, to: host.get(clientOrderId)?.status ?? from }))
      .filter((change) => change.to !== change.from);
    const summary: Summary = {
      phase,
      previousRun,
      ordersRestored: restored.orders,
      positionsRestored: restored.positions,
      ordersResolved,
      fillsRecovered: tally.recovered,
      externalOrders,
      externalFills: tally.external,
      externalPositions: [...this.#externalNet]
        .filter(([, quantity]) => Math.abs(quantity) > 1e-12)
        .map(([symbol, quantity]) => ({ symbol, quantity })),
      mismatches,
      action,
    };
    const found =
      ordersResolved.length + tally.recovered + tally.external.length + externalOrders.length + mismatches.length > 0;
    // The external positions are reported while they last, but only a check that found something is published.
    if (phase === 'startup' || found) host.publish('ReconciliationCompleted', summary);
    return summary;
  }

  /**
   * Takes back the external fills earlier reconciliations found (a restart): they explain part of the balances.
   * @param fills - as the journal recorded them.
   */
  restoreExternal(fills: readonly Fill[]): void {
    for (const fill of fills) this.#addExternal(fill);
  }

  /** Counts an external fill once: its effect on the balances and the external positions; `false` if known. */
  #addExternal(fill: Fill): boolean {
    if (this.#externalFills.has(fill.fillId)) return false;
    this.#externalFills.add(fill.fillId);
    this.#host.balances.apply(fill);
    const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    this.#externalNet.set(fill.symbol, (this.#externalNet.get(fill.symbol) ?? 0) + signed);
    return true;
  }

  /** Step 1: every working or unknown order, by client order id. */
  async #askForOrders(mismatches: ReconciliationMismatch[]): Promise<void> {
    const host = this.#host;
    for (const order of host.working()) {
      const { clientOrderId, symbol } = order;
      try {
        host.applyVenueOrder(
          await host.read(`fetchOrder ${clientOrderId}`, () => host.broker.fetchOrder(symbol, clientOrderId)),
        );
      } catch (error) {
        if (!(BrokerError.isInstance(error) && error.code === 'not_found')) throw error;
        if (order.orderId === null) {
          host.notFound(order);
        } else {
          mismatches.push({
            kind: 'order',
            subject: clientOrderId,
            expected: order.quantity - order.filledQuantity,
            actual: null,
            message: `order ${clientOrderId} (${order.side} ${order.quantity} ${symbol}, ${order.status}) was acknowledged by the venue, which no longer finds it`,
          });
        }
      }
    }
  }

  /**
   * Steps 2 and 4: the fills, then the balances (or positions), then the fills again, compared at once when no fill
   * from anywhere (this check, the stream, the per-cycle questions) changed the expectation in between — else again,
   * a few times, before the comparison waits for the next check.
   */
  async #settledComparison(
    tally: Tally,
  ): Promise<{ readonly mismatches: ReconciliationMismatch[]; readonly balances: readonly Balance[] } | undefined> {
    const host = this.#host;
    const { broker } = host;
    const spot = broker.capabilities.accountType === 'spot' || !broker.fetchPositions;
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      await this.#fetchFills(tally);
      const version = host.balances.version;
      const balances = await host.read('fetchBalances', () => broker.fetchBalances());
      const positions = spot ? [] : await host.read('fetchPositions', () => this.#positions());
      await this.#fetchFills(tally);
      if (host.balances.version !== version) continue;
      const tolerance = this.#settings.balanceToleranceBps;
      const mismatches = spot
        ? host.balances.compare(balances, tolerance)
        : comparePositions(positions, this.#netPositions(), tolerance);
      return { mismatches, balances };
    }
    host.warn('The venue kept filling while the balances were compared: the balance check waits for the next round');
    return undefined;
  }

  #positions(): Promise<readonly VenuePosition[]> {
    const { broker } = this.#host;
    return broker.fetchPositions ? broker.fetchPositions() : Promise.resolve([]);
  }

  /** Fetches the fills since the last fetch (with an overlap) and applies them; returns how many were new. */
  async #fetchFills(tally: Tally): Promise<number> {
    const host = this.#host;
    const startedAt = host.now();
    let fresh = 0;
    for (const symbol of host.symbols) {
      const fills = await host.read(`fetchFills ${symbol}`, () => host.broker.fetchFills(symbol, this.#fillsSince));
      for (const fill of fills) {
        const result = host.applyFill(fill);
        if (result === 'new') {
          tally.recovered++;
          fresh++;
        } else if (result === 'foreign' && this.#addExternal(fill)) {
          tally.external.push(fill);
          fresh++;
        }
      }
    }
    this.#fillsSince = startedAt - FILL_OVERLAP_MS;
    return fresh;
  }

  /** Step 3: open orders the bot has no record of. */
  async #openOrders(mismatches: ReconciliationMismatch[]): Promise<ExternalOrder[]> {
    const host = this.#host;
    // By symbol: a venue may refuse (or weigh ten times more) a query of every symbol at once (Binance).
    const open: VenueOrder[] = [];
    for (const symbol of host.symbols) {
      open.push(...(await host.read(`fetchOpenOrders ${symbol}`, () => host.broker.fetchOpenOrders(symbol))));
    }
    const external: ExternalOrder[] = [];
    for (const venue of open) {
      if (host.get(venue.clientOrderId)) continue;
      if (venue.clientOrderId.startsWith(`${host.botId}-`)) {
        mismatches.push({
          kind: 'order',
          subject: venue.clientOrderId,
          expected: null,
          actual: venue.quantity - venue.filledQuantity,
          message: `the venue holds order ${venue.clientOrderId} (${venue.side} ${venue.quantity} ${venue.symbol}) with the bot's prefix, which the bot has no record of`,
        });
        continue;
      }
      if (this.#externalOrders.has(venue.clientOrderId)) continue;
      this.#externalOrders.add(venue.clientOrderId);
      const cancel = this.#settings.cancelExternalOrders;
      if (cancel) await host.cancel(venue.symbol, venue.clientOrderId);
      else
        host.warn(
          `External order at the venue: ${venue.clientOrderId} (${venue.side} ${venue.quantity} ${venue.symbol}); not touched`,
        );
      external.push({
        clientOrderId: venue.clientOrderId,
        symbol: venue.symbol,
        side: venue.side,
        quantity: venue.quantity,
        handling: cancel ? 'cancelled' : 'ignored',
      });
    }
    return external;
  }

  /** The bot's net position by symbol, plus what external fills hold: what the venue should report. */
  #netPositions(): Map<string, number> {
    const net = new Map<string, number>(this.#externalNet);
    for (const position of this.#host.ledger.positions()) {
      const signed = position.direction === 'long' ? position.quantity : -position.quantity;
      net.set(position.symbol, (net.get(position.symbol) ?? 0) + signed);
    }
    return net;
  }

  /** Takes the venue's quantities: the bot's positions move by the difference, and the venue's balances become the baseline. */
  #adopt(mismatches: readonly ReconciliationMismatch[], balances: readonly Balance[] | undefined): void {
    const host = this.#host;
    for (const mismatch of mismatches) {
      if (mismatch.kind === 'order') {
        // An order of the bot's the venue no longer has: cancelled, so that it stops blocking the strategy.
        if (mismatch.expected !== null) host.forget(mismatch.subject);
        continue;
      }
      if (mismatch.expected === null || mismatch.actual === null) continue;
      const quote = host.ledger.account().currency;
      const symbol =
        mismatch.kind === 'position'
          ? mismatch.subject
          : host.symbols.find((s) => baseCurrencyOf(s, quote) === mismatch.subject);
      if (symbol === undefined) continue;
      host.warn(`Adopting the venue's ${mismatch.subject}: ${mismatch.message}`);
      host.adopt(symbol, mismatch.actual - mismatch.expected);
    }
    if (balances !== undefined) host.balances.rebase(balances);
  }
}

/**
 * Compares venue-side positions with the bot's net positions by symbol (signed, short negative).
 * @param toleranceBps - allowed difference, basis points of the larger quantity (at least 1e-8).
 */
export function comparePositions(
  venue: readonly VenuePosition[],
  bot: ReadonlyMap<string, number>,
  toleranceBps: number,
): ReconciliationMismatch[] {
  const held = new Map<string, number>();
  for (const position of venue) {
    const signed = position.direction === 'long' ? position.quantity : -position.quantity;
    held.set(position.symbol, (held.get(position.symbol) ?? 0) + signed);
  }
  const mismatches: ReconciliationMismatch[] = [];
  for (const symbol of [...new Set([...held.keys(), ...bot.keys()])].sort()) {
    const expected = bot.get(symbol) ?? 0;
    const actual = held.get(symbol) ?? 0;
    if (withinTolerance(expected, actual, toleranceBps)) continue;
    mismatches.push({
      kind: 'position',
      subject: symbol,
      expected,
      actual,
      message: `${symbol}: the venue's position is ${actual}, the bot's ${expected} (signed base units)`,
    });
  }
  return mismatches;
}
