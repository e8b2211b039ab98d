import { describe, expect, it } from 'vitest';
import { buildConfig } from './load-config.js';
import { failure, load } from './test-support.js';

describe('trading.symbols', () => {
  it('is the one trading.symbol when no list is given', () => {
    expect(load({ 'config/services.yaml': 'trading:\n  symbol: ETHUSDT\n' }).config.trading.symbols).toEqual([
      'ETHUSDT',
    ]);
    expect(load({}, { TRADING_SYMBOL: 'SOLUSDT' }).config.trading.symbols).toEqual(['SOLUSDT']);
    expect(load().config.trading.symbols).toEqual(['EURUSD']);
  });

  it('takes the list from the file, code or TRADING_SYMBOLS, trading.symbol becoming its first', () => {
    const file = load({ 'config/services.yaml': 'trading:\n  symbols: [BTCUSDT, BTC/USDC]\n' }).config.trading;
    expect(file.symbols).toEqual(['BTCUSDT', 'BTC/USDC']);
    expect(file.symbol).toBe('BTCUSDT');
    expect(buildConfig({ trading: { symbols: ['ETHUSDT'] } }).trading).toMatchObject({
      symbol: 'ETHUSDT',
      symbols: ['ETHUSDT'],
    });
    expect(load({}, { TRADING_SYMBOLS: 'A1, B2 ,C3' }).config.trading.symbols).toEqual(['A1', 'B2', 'C3']);
  });

  it('lets the more specific source win when both forms are set', () => {
    const yaml = { 'config/services.yaml': 'trading:\n  symbols: [BTCUSDT, ETHUSDT]\n' };
    expect(load(yaml, { TRADING_SYMBOL: 'SOLUSDT' }).config.trading.symbols).toEqual(['SOLUSDT']);
    expect(load(yaml, { SYMBOL: 'SOLUSDT' }).config.trading.symbols).toEqual(['SOLUSDT']);
    const one = { 'config/services.yaml': 'trading:\n  symbol: BTCUSDT\n' };
    expect(load(one, { TRADING_SYMBOLS: 'ETHUSDT,SOLUSDT' }).config.trading.symbols).toEqual(['ETHUSDT', 'SOLUSDT']);
    // The process environment over .env.
    expect(
      load({ ...one, '.env': 'TRADING_SYMBOLS=ETHUSDT,SOLUSDT\n' }, { TRADING_SYMBOL: 'XRPUSDT' }).config.trading
        .symbols,
    ).toEqual(['XRPUSDT']);
  });

  it('refuses both forms from one source, an empty list, a repeat and a symbol with spaces, naming where', () => {
    const both = failure(() => load({ 'config/services.yaml': 'trading:\n  symbol: BTCUSDT\n  symbols: [ETHUSDT]\n' }));
    expect(both.issues).toEqual([
      {
        path: 'trading.symbols',
        source: 'config/services.yaml:3:12',
        message:
          'trading.symbol (config/services.yaml:2:11) and trading.symbols (config/services.yaml:3:12) are both set at the same level: expected one of them (trading.symbols for several symbols)',
      },
    ]);
    expect(failure(() => load({}, { TRADING_SYMBOLS: '' })).issues).toEqual([
      {
        path: 'trading.symbols',
        source: 'env TRADING_SYMBOLS',
        message: 'expected at least one symbol, e.g. [BTCUSDT]',
      },
    ]);
    expect(failure(() => load({ 'config/services.yaml': 'trading:\n  symbols: [A1, B2, A1]\n' })).issues).toEqual([
      {
        path: 'trading.symbols.2',
        source: 'config/services.yaml:2:21',
        message: 'A1 is listed twice: expected each symbol once',
      },
    ]);
    expect(failure(() => load({}, { TRADING_SYMBOLS: 'BTC USDT' })).issues).toEqual([
      {
        path: 'trading.symbols.0',
        source: 'env TRADING_SYMBOLS',
        message: 'expected a symbol of 1 to 40 letters, digits or ._/:- (e.g. BTCUSDT or BTC/USDT)',
      },
    ]);
  });
});

describe('risk.max_position_sizes', () => {
  it('reads a map of symbol to size from the file and from RISK_MAX_POSITION_SIZES, as numbers', () => {
    const file = load({ 'config/services.yaml': 'risk:\n  max_position_sizes: { BTCUSDT: 0.5, ETHUSDT: 10 }\n' });
    expect(file.config.risk.max_position_sizes).toEqual({ BTCUSDT: 0.5, ETHUSDT: 10 });
    const env = load({}, { RISK_MAX_POSITION_SIZES: 'BTCUSDT=0.25,ETHUSDT=3' });
    expect(env.config.risk.max_position_sizes).toEqual({ BTCUSDT: 0.25, ETHUSDT: 3 });
  });

  it('names the variable when a size is not a number', () => {
    const error = failure(() => load({}, { RISK_MAX_POSITION_SIZES: 'BTCUSDT=lots' }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      path: 'risk.max_position_sizes.BTCUSDT',
      source: 'env RISK_MAX_POSITION_SIZES',
    });
    expect(error.issues[0]?.message).toMatch(/number/);
  });
});
