export { CcxtBroker } from './ccxt-broker.js';
export { brokerErrorCodeOf, type RequestKind, scrubMessage, toBrokerError } from './ccxt-errors.js';
export { CcxtMarketData, type CcxtMarketDataOptions } from './ccxt-market-data.js';
export { CcxtVenue, type CcxtVenueOptions } from './ccxt-venue.js';
export { type FittedOrder, VenueMarkets } from './venue-markets.js';
