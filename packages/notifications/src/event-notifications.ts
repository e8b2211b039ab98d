import type { EventOf, TradingEvent, TradingEventPayloads } from '@quant/core';
import { severityOf } from '@quant/store';
import { amount, quantity, signedAmount } from './format.js';
import type { Notification } from './notification.js';
import { wallTime } from './time-zone.js';

/** How figures are written: the time zone of times, and the quote currency of a symbol's money. */
export interface NotificationFormat {
  /** An IANA time zone, e.g. `America/New_York`. */
  readonly timeZone: string;
  /** The quote currency of a symbol (`USDT` for `BTCUSDT`), or `undefined` to write amounts without one. */
  readonly currencyOf?: (symbol: string) => string | undefined;
}

/** The event types the notification service listens to. */
export const NOTIFIED_EVENT_TYPES = [
  'OrderFilled',
  'PositionOpened',
  'PositionClosed',
  'RiskLimitBreached',
  'TradingBlocked',
  'ServiceFailed',
  'ReconciliationCompleted',
] as const;

type Notified = (typeof NOTIFIED_EVENT_TYPES)[number];
type Of<K extends Notified> = EventOf<TradingEventPayloads, K>;

function time(ms: number, format: NotificationFormat): string {
  const { day, time: clock } = wallTime(ms, format.timeZone);
  const seconds = String(new Date(ms).getUTCSeconds()).padStart(2, '0');
  return `${day} ${clock}:${seconds} ${format.timeZone}`;
}

function money(value: number, symbol: string, format: NotificationFormat, signed = false): string {
  const currency = format.currencyOf?.(symbol);
  return signed ? signedAmount(value, currency) : amount(value, currency);
}

function fill(event: Of<'OrderFilled'>, format: NotificationFormat): Notification {
  const { order, fill: f } = event;
  return {
    id: `fill:${f.fillId}`,
    kind: 'fill',
    severity: 'info',
    title: `Fill: ${f.side} ${quantity(f.quantity)} ${f.symbol} @ ${quantity(f.price)}`,
    fields: [
      ['Symbol', f.symbol],
      ['Side', f.side],
      ['Quantity', quantity(f.quantity)],
      ['Price', quantity(f.price)],
      ['Fee', money(f.fee, f.symbol, format)],
      [
        'Order',
        `${order.clientOrderId} (${order.intent} ${order.type}, ${order.status}, ${quantity(order.filledQuantity)} of ${quantity(order.quantity)} filled)`,
      ],
      ['Strategy', order.strategyName ?? '-'],
      ['Time', time(f.timestamp, format)],
    ],
    tables: [],
    data: { order, fill: f },
    coalesceKey: null,
    createdAt: event.timestamp,
  };
}

function positionOpened(event: Of<'PositionOpened'>, format: NotificationFormat): Notification {
  const { position: p, exitPlan } = event;
  return {
    id: `position_opened:${event.id}`,
    kind: 'position',
    severity: 'info',
    title: `Position opened: ${p.direction} ${quantity(p.quantity)} ${p.symbol} @ ${quantity(p.entryPrice)}`,
    fields: [
      ['Symbol', p.symbol],
      ['Direction', p.direction],
      ['Quantity', quantity(p.quantity)],
      ['Entry price', quantity(p.entryPrice)],
      ['Stop-loss', exitPlan?.stopLoss == null ? '-' : quantity(exitPlan.stopLoss)],
      ['Take-profit', exitPlan?.takeProfit == null ? '-' : quantity(exitPlan.takeProfit)],
      ['Fees', money(p.fees, p.symbol, format)],
      ['Strategy', p.strategyName ?? '-'],
      ['Opened', time(p.openedAt, format)],
    ],
    tables: [],
    data: { position: p, exitPlan },
    coalesceKey: null,
    createdAt: event.timestamp,
  };
}

function positionClosed(event: Of<'PositionClosed'>, format: NotificationFormat): Notification {
  const { position: p } = event;
  const pnl = money(event.realizedPnl, p.symbol, format, true);
  return {
    id: `position_closed:${event.id}`,
    kind: 'position',
    severity: 'info',
    title: `Position closed: ${p.direction} ${quantity(event.quantity)} ${p.symbol} ${pnl} (${event.reason})`,
    fields: [
      ['Symbol', p.symbol],
      ['Direction', p.direction],
      ['Quantity', quantity(event.quantity)],
      ['Entry price', quantity(p.entryPrice)],
      ['Exit price', quantity(event.exitPrice)],
      ['Realized P&L', `${pnl} (after fees)`],
      ['Fees', money(event.fees, p.symbol, format)],
      ['Reason', event.reason],
      ['Strategy', p.strategyName ?? '-'],
      ['Opened', time(p.openedAt, format)],
      ['Closed', time(event.closedAt, format)],
    ],
    tables: [],
    data: {
      position: p,
      quantity: event.quantity,
      exitPrice: event.exitPrice,
      realizedPnl: event.realizedPnl,
      fees: event.fees,
      reason: event.reason,
      closedAt: event.closedAt,
    },
    coalesceKey: null,
    createdAt: event.timestamp,
  };
}

function riskLimitBreached(event: Of<'RiskLimitBreached'>, format: NotificationFormat): Notification {
  return {
    id: `alert:${event.id}`,
    kind: 'alert',
    severity: severityOf(event),
    title: `Risk limit breached: ${event.limit} on ${event.symbol}`,
    fields: [
      ['Limit', event.limit],
      ['Symbol', event.symbol],
      ['Value', quantity(event.value)],
      ['Threshold', quantity(event.threshold)],
      ['Time', time(event.timestamp, format)],
    ],
    tables: [],
    data: { symbol: event.symbol, limit: event.limit, value: event.value, threshold: event.threshold },
    coalesceKey: `risk:${event.limit}:${event.symbol}`,
    createdAt: event.timestamp,
  };
}

function dailyLossBlock(event: Of<'TradingBlocked'>, format: NotificationFormat): Notification | null {
  if (!event.reasons.includes('daily_loss_limit')) return null;
  return {
    id: `alert:${event.id}`,
    kind: 'alert',
    severity: severityOf(event),
    title: `Trading blocked by the daily loss limit: ${event.symbol}`,
    fields: [
      ['Symbol', event.symbol],
      ['Strategy', event.strategyName],
      ['Reasons', event.reasons.join(', ')],
      ['Time', time(event.timestamp, format)],
    ],
    tables: [],
    data: { symbol: event.symbol, strategyName: event.strategyName, reasons: event.reasons },
    coalesceKey: `blocked:daily_loss_limit:${event.symbol}`,
    createdAt: event.timestamp,
  };
}

function serviceFailed(event: Of<'ServiceFailed'>, format: NotificationFormat): Notification {
  return {
    id: `alert:${event.id}`,
    kind: 'alert',
    severity: severityOf(event),
    title: `Service failed: ${event.service}${event.willRestart ? ' (restarting)' : ' (stays failed: act now)'}`,
    fields: [
      ['Service', event.service],
      ['Error', event.error],
      ['Restarts in the window', String(event.restarts)],
      ['Will restart', event.willRestart ? 'yes' : 'no'],
      ['Time', time(event.timestamp, format)],
    ],
    tables: [],
    data: { service: event.service, error: event.error, restarts: event.restarts, willRestart: event.willRestart },
    coalesceKey: `service:${event.service}:${event.willRestart}`,
    createdAt: event.timestamp,
  };
}

function reconciliationFields(event: Of<'ReconciliationCompleted'>, format: NotificationFormat) {
  const fields: [string, string][] = [
    ['Phase', event.phase],
    ['Action', event.action],
    [
      'Previous run',
      event.previousRun === null ? 'none recorded' : `${event.previousRun.runId} (${event.previousRun.end})`,
    ],
    ['Orders restored', String(event.ordersRestored)],
    ['Positions restored', String(event.positionsRestored)],
    ['Orders resolved at the venue', String(event.ordersResolved.length)],
    ['Fills recovered', String(event.fillsRecovered)],
    ['External orders', String(event.externalOrders.length)],
    ['Mismatches', String(event.mismatches.length)],
    ['Time', time(event.timestamp, format)],
  ];
  const tables = [
    {
      heading: 'Mismatches',
      columns: ['Kind', 'Subject', 'Record', 'Venue', 'Detail'],
      rows: event.mismatches.map((m) => [
        m.kind,
        m.subject,
        m.expected === null ? '-' : quantity(m.expected),
        m.actual === null ? '-' : quantity(m.actual),
        m.message,
      ]),
      empty: 'none',
    },
    {
      heading: 'Orders resolved',
      columns: ['Client order id', 'From', 'To'],
      rows: event.ordersResolved.map((order) => [order.clientOrderId, order.from, order.to]),
      empty: 'none',
    },
  ];
  const { id: _id, type: _type, timestamp: _t, correlationId: _c, causationId: _k, ...data } = event;
  return { fields, tables, data };
}

/**
 * A startup reconciliation gives the recovery report; one that halted or adopted (at startup or while running)
 * gives an alert too, so that the routes of alerts (their channels, their minimum severity) carry a halt whatever
 * the routes of recovery reports say.
 */
function reconciliation(event: Of<'ReconciliationCompleted'>, format: NotificationFormat): Notification[] {
  const { fields, tables, data } = reconciliationFields(event, format);
  const notifications: Notification[] = [];
  if (event.phase === 'startup') {
    const crashed = event.previousRun?.end === 'crashed';
    notifications.push({
      id: `recovery:${event.id}`,
      kind: 'recovery',
      severity: event.action === 'trade' ? (crashed ? 'warning' : 'info') : severityOf(event),
      title:
        event.action === 'halt'
          ? 'Recovery report: trading halted until an operator acts'
          : `Recovery report: ${crashed ? 'restarted after a crash' : 'started'}, ${event.action === 'adopt' ? "the venue's state adopted" : 'trading'}`,
      fields,
      tables,
      data,
      coalesceKey: null,
      createdAt: event.timestamp,
    });
  }
  if (event.action === 'trade') return notifications;
  notifications.push({
    id: `alert:${event.id}`,
    kind: 'alert',
    severity: severityOf(event),
    title:
      event.action === 'halt'
        ? 'Reconciliation halted trading: the venue differs from the record'
        : "Reconciliation adopted the venue's quantities",
    fields,
    tables,
    data,
    coalesceKey: `reconciliation:${event.action}`,
    createdAt: event.timestamp,
  });
  return notifications;
}

/**
 * The notifications an event gives, none for most: one for every `OrderFilled`, `PositionOpened` and
 * `PositionClosed`, every `RiskLimitBreached` and `ServiceFailed`, and a `TradingBlocked` by the daily loss limit
 * (other blocks are routine); for a `ReconciliationCompleted`, the recovery report at startup, and an alert when it
 * halted or adopted (at startup, both). Ids come from the event's id (a fill's from its fill id), so the same event
 * gives the same ids.
 * @param event - any trading event.
 * @param format - the time zone, the quote currencies.
 * @returns the notifications, in the order they are queued (empty: none).
 */
export function notificationsOf(event: TradingEvent, format: NotificationFormat): readonly Notification[] {
  const one = (notification: Notification | null): Notification[] => (notification === null ? [] : [notification]);
  switch (event.type) {
    case 'OrderFilled':
      return one(fill(event, format));
    case 'PositionOpened':
      return one(positionOpened(event, format));
    case 'PositionClosed':
      return one(positionClosed(event, format));
    case 'RiskLimitBreached':
      return one(riskLimitBreached(event, format));
    case 'TradingBlocked':
      return one(dailyLossBlock(event, format));
    case 'ServiceFailed':
      return one(serviceFailed(event, format));
    case 'ReconciliationCompleted':
      return reconciliation(event, format);
    default:
      return [];
  }
}
