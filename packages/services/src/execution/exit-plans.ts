import type { Bar, ExitPlan, OrderStatus, OrderType, Position } from '@quant/core';
import type { SignalKey } from './client-order-id.js';
import { type ExitLevels, exitLevelHit } from './exit-level.js';

/** The two levels of an exit plan, by the purpose of their orders. */
type Leg = 'stop_loss' | 'take_profit';

/** What {@link ExitPlans} asks of the executor that owns the orders. */
export interface ExitPlanActions {
  /**
   * Creates and sends an exit order. The venue must be called before the
   * first await, so that a venue answering at once (a simulation) sees it.
   * @returns its client order id and a promise settled once the venue answered, or `undefined` when it exists already.
   */
  send(
    key: SignalKey,
    order: { readonly type: OrderType; readonly quantity: number; readonly triggerPrice: number | null },
    ocoGroup?: string,
  ): { readonly clientOrderId: string; readonly answered: Promise<void> } | undefined;
  /** Cancels a working order. */
  cancel(clientOrderId: string): void;
  /** The status of an order, while the executor remembers it. */
  status(clientOrderId: string): OrderStatus | undefined;
  /** Whether a market exit of the strategy's position is working. */
  exiting(strategyName: string, symbol: string): boolean;
  /** Reports a change of plan. */
  warn(message: string): void;
}

interface Plan {
  readonly entryKey: SignalKey;
  readonly levels: ExitLevels;
  /** The venue order of each level placed there. */
  readonly legs: Map<Leg, string>;
}

/** Venue states in which a leg no longer protects the position (the bot watches its level instead). */
const LOST: readonly (OrderStatus | undefined)[] = ['rejected', 'cancelled', 'expired', undefined];

const keyOf = (strategyName: string, symbol: string): string => `${strategyName}|${symbol}`;

/**
 * The exit plans of open positions — stop-loss and take-profit belong to the
 * bot, not to the venue (a spot venue has no positions), one plan per
 * strategy and symbol.
 *
 * Where the venue has native stops, a plan is placed there when its entry
 * fills: a `stop` and a `take_profit` order in one OCO group named after the
 * position. Otherwise — and for a level whose venue order was refused or
 * lost — the bot watches the level on every closed bar of the execution
 * timeframe ({@link ExitPlans.watch}) and sends a market exit when a bar
 * reaches it (the stop first when both lie inside the bar), after asking the
 * venue to cancel the other level's order. When the position is flat, the
 * executor is asked to cancel what is left of its plan (and keeps asking
 * until the venue has).
 *
 * Client order ids: a venue leg's comes from the entry's signal with the
 * leg's purpose; a bot-side exit's from the bar that reached the level, so a
 * restarted bot regenerates both.
 */
export class ExitPlans {
  readonly #actions: ExitPlanActions;
  readonly #nativeStops: boolean;
  readonly #plans = new Map<string, Plan>();

  /**
   * @param actions - order handling, from the executor.
   * @param nativeStops - whether the venue keeps stop and take-profit orders (`BrokerCapabilities.nativeStops`).
   */
  constructor(actions: ExitPlanActions, nativeStops: boolean) {
    this.#actions = actions;
    this.#nativeStops = nativeStops;
  }

  /**
   * The plan a position opened with these levels gets, as `PositionOpened` announces it.
   * @param levels - the entry's stop-loss and take-profit.
   * @returns the plan, or `null` when neither level is set.
   */
  describe(levels: ExitLevels | null): ExitPlan | null {
    if (!levels || (levels.stopLoss === null && levels.takeProfit === null)) return null;
    return { ...levels, placement: this.#nativeStops ? 'venue' : 'bot' };
  }

  /**
   * Arms the plan of a position whose entry order is done: places its levels
   * at the venue, or starts watching them. Once per position.
   * @param position - the position, as the ledger has it.
   * @param entryKey - the identity of the entry's signal.
   * @param levels - the entry's stop-loss and take-profit.
   */
  arm(position: Position, entryKey: SignalKey, levels: ExitLevels | null): void {
    const key = keyOf(entryKey.strategyName, position.symbol);
    if (!this.describe(levels) || this.#plans.has(key)) return;
    const plan: Plan = { entryKey, levels: levels as ExitLevels, legs: new Map() };
    this.#plans.set(key, plan);
    if (!this.#nativeStops) return;
    const legs: [Leg, OrderType, number | null][] = [
      ['stop_loss', 'stop', plan.levels.stopLoss],
      ['take_profit', 'take_profit', plan.levels.takeProfit],
    ];
    for (const [purpose, type, level] of legs) {
      if (level === null) continue;
      const sent = this.#actions.send(
        { ...entryKey, intent: 'exit', purpose },
        { type, quantity: position.quantity, triggerPrice: level },
        position.positionId,
      );
      if (!sent) continue;
      plan.legs.set(purpose, sent.clientOrderId);
      void sent.answered.then(() => this.#answered(key, plan, purpose, sent.clientOrderId, position.positionId));
    }
  }

  /**
   * The client order ids of a position's venue legs.
   * @param strategyName - the strategy.
   * @param symbol - the instrument.
   */
  legs(strategyName: string, symbol: string): string[] {
    return [...(this.#plans.get(keyOf(strategyName, symbol))?.legs.values() ?? [])];
  }

  /**
   * Checks a closed bar against the levels the bot watches for the symbol's
   * positions and sends a market exit for a level reached.
   * @param symbol - the instrument.
   * @param bar - a closed bar of the execution timeframe.
   * @param position - the ledger's position of a strategy in the symbol.
   */
  watch(symbol: string, bar: Bar, position: (strategyName: string, symbol: string) => Position | undefined): void {
    for (const plan of this.#plans.values()) {
      const { entryKey } = plan;
      if (entryKey.symbol !== symbol) continue;
      const open = position(entryKey.strategyName, symbol);
      if (!open) continue;
      const watched: ExitLevels = {
        stopLoss: this.#protects(plan, 'stop_loss') ? null : plan.levels.stopLoss,
        takeProfit: this.#protects(plan, 'take_profit') ? null : plan.levels.takeProfit,
      };
      const hit = exitLevelHit(open.direction, watched, bar);
      if (!hit || this.#actions.exiting(entryKey.strategyName, symbol)) continue;
      this.#actions.warn(`${hit.purpose} of ${open.positionId} reached at ${hit.level}: sending a market exit`);
      // The other level may still be at the venue: take it back so that it cannot fill after the exit.
      for (const id of plan.legs.values()) this.#cancelIfWorking(id);
      this.#actions.send(
        { ...entryKey, barOpenTime: bar.openTime, intent: 'exit', purpose: hit.purpose },
        { type: 'market', quantity: open.quantity, triggerPrice: null },
      );
    }
  }

  /**
   * The strategy's position in the symbol is flat: forgets its plan and
   * cancels its venue orders still working.
   * @param strategyName - the strategy.
   * @param symbol - the instrument.
   */
  drop(strategyName: string, symbol: string): void {
    const key = keyOf(strategyName, symbol);
    const plan = this.#plans.get(key);
    if (!plan) return;
    this.#plans.delete(key);
    for (const id of plan.legs.values()) this.#cancelIfWorking(id);
  }

  /** Whether a level is held by a venue order (working, filled, or not known yet). */
  #protects(plan: Plan, leg: Leg): boolean {
    const id = plan.legs.get(leg);
    return id !== undefined && !LOST.includes(this.#actions.status(id));
  }

  #answered(key: string, plan: Plan, leg: Leg, clientOrderId: string, positionId: string): void {
    if (this.#plans.get(key) !== plan) {
      // The position went flat while the venue was answering: take the leg back.
      this.#cancelIfWorking(clientOrderId);
    } else if (this.#actions.status(clientOrderId) === 'rejected') {
      this.#actions.warn(`The venue refused the ${leg} of ${positionId}: the bot watches that level instead`);
    }
  }

  #cancelIfWorking(clientOrderId: string): void {
    const status = this.#actions.status(clientOrderId);
    if (status === 'open' || status === 'partially_filled' || status === 'unknown') this.#actions.cancel(clientOrderId);
  }
}
