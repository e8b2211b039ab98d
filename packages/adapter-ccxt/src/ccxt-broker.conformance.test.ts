import { describeBrokerConformance } from '@quant/services/testing';
import { CcxtBroker } from './ccxt-broker.js';
import { startLocalExchange } from './test-support/local-exchange.js';

const MINUTE = 60_000;

// The port's contract, checked through ccxt's Binance client against the local Binance-compatible exchange
// replaying the real BTCUSDT file; each advance lets one more bar close.
describeBrokerConformance(
  'CcxtBroker on the local exchange (binance)',
  async () => {
    const local = await startLocalExchange(Date.UTC(2023, 2, 1, 12));
    const broker = new CcxtBroker(local.venue);
    return {
      broker,
      symbol: 'BTCUSDT',
      quantity: 0.01,
      referencePrice: async () => {
        const [bar] = await local.venue.exchange.fetchOHLCV('BTC/USDT', '1m', local.clock.now() - MINUTE, 1);
        return bar?.[4] ?? 0;
      },
      advance: async () => local.clock.tickTo(local.clock.now() + MINUTE),
      close: () => local.close(),
    };
  },
  { timeoutMs: 30_000 },
);
