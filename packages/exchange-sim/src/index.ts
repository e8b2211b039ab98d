export { ExchangeSimError, type ExchangeSimErrorCode } from './exchange-sim-error.js';
export type { FaultKind, FaultSpec, Faults, PendingFault } from './faults.js';
export { DEFAULT_FILTERS, type SymbolFilters } from './filters.js';
export { ScaledClock, type ScaledClockOptions } from './scaled-clock.js';
export {
  CLIENT_ID_REUSE,
  DEFAULT_ACCOUNT,
  type ExchangeSimAccount,
  type ExchangeSimOptions,
  type RunningExchangeSim,
  startExchangeSim,
} from './start-exchange-sim.js';
export type { ClientIdReuse, SimOrderRow, SimTradeRow } from './venue.js';
