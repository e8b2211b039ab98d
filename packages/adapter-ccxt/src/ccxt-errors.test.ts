import { BrokerError, type BrokerErrorCode } from '@quant/services';
import ccxt, { errors } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { brokerErrorCodeOf, scrubMessage, toBrokerError } from './ccxt-errors.js';

// Every error class ccxt exports, with the code of a write (submit, cancel) and of a read.
const EXPECTED: Record<string, [write: BrokerErrorCode, read: BrokerErrorCode]> = {
  BaseError: ['unknown_outcome', 'unavailable'],
  ExchangeError: ['rejected', 'unavailable'],
  AuthenticationError: ['rejected', 'unavailable'],
  PermissionDenied: ['rejected', 'unavailable'],
  AccountNotEnabled: ['rejected', 'unavailable'],
  AccountSuspended: ['rejected', 'unavailable'],
  ArgumentsRequired: ['rejected', 'unavailable'],
  BadRequest: ['rejected', 'unavailable'],
  BadSymbol: ['rejected', 'unavailable'],
  OperationRejected: ['rejected', 'unavailable'],
  NoChange: ['rejected', 'unavailable'],
  MarginModeAlreadySet: ['rejected', 'unavailable'],
  MarketClosed: ['rejected', 'unavailable'],
  ManualInteractionNeeded: ['rejected', 'unavailable'],
  RestrictedLocation: ['rejected', 'unavailable'],
  InsufficientFunds: ['insufficient_funds', 'insufficient_funds'],
  InvalidAddress: ['rejected', 'unavailable'],
  AddressPending: ['rejected', 'unavailable'],
  InvalidOrder: ['rejected', 'unavailable'],
  OrderNotFound: ['not_found', 'not_found'],
  OrderNotCached: ['rejected', 'unavailable'],
  OrderImmediatelyFillable: ['rejected', 'unavailable'],
  OrderNotFillable: ['rejected', 'unavailable'],
  DuplicateOrderId: ['rejected', 'unavailable'],
  ContractUnavailable: ['rejected', 'unavailable'],
  NotSupported: ['unsupported', 'unsupported'],
  InvalidProxySettings: ['rejected', 'unavailable'],
  ExchangeClosedByUser: ['rejected', 'unavailable'],
  OperationFailed: ['unknown_outcome', 'unavailable'],
  NetworkError: ['unknown_outcome', 'unavailable'],
  DDoSProtection: ['rate_limited', 'rate_limited'],
  RateLimitExceeded: ['rate_limited', 'rate_limited'],
  ExchangeNotAvailable: ['unknown_outcome', 'unavailable'],
  OnMaintenance: ['unavailable', 'unavailable'],
  InvalidNonce: ['unavailable', 'unavailable'],
  ChecksumError: ['unavailable', 'unavailable'],
  RequestTimeout: ['unknown_outcome', 'unavailable'],
  BadResponse: ['unknown_outcome', 'unavailable'],
  NullResponse: ['unknown_outcome', 'unavailable'],
  CancelPending: ['unknown_outcome', 'unavailable'],
  UnsubscribeError: ['unknown_outcome', 'unavailable'],
};

describe('ccxt errors as BrokerError codes', () => {
  // The module's namespace also holds a `default` export: the classes are the functions.
  const classes = Object.entries(errors as unknown as Record<string, unknown>).filter(
    (entry): entry is [string, new (message: string) => Error] =>
      entry[0] !== 'default' && typeof entry[1] === 'function',
  );

  it('knows every error class ccxt exports', () => {
    expect(classes.map(([name]) => name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(classes)('%s', (name, ErrorClass) => {
    const error = new ErrorClass('binance {"code":-1,"msg":"x"}');
    expect([brokerErrorCodeOf(error, 'write'), brokerErrorCodeOf(error, 'read')]).toEqual(EXPECTED[name]);
  });

  it('never reads a timeout or a lost answer of a write as rejected', () => {
    for (const error of [new ccxt.RequestTimeout('t'), new ccxt.ExchangeNotAvailable('503'), new Error('ECONNRESET')]) {
      expect(brokerErrorCodeOf(error, 'write')).toBe('unknown_outcome');
    }
  });
});

describe('toBrokerError', () => {
  const signed =
    'binance POST http://127.0.0.1:9/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=0f1e2d3c4b5a69788796a5b4c3d2e1f0 400 Bad Request {"code":-2010,"msg":"Account has insufficient balance for requested action."} key-AbCdEf123456';

  it('keeps the venue’s words, says what was asked, and names no secret', () => {
    const error = toBrokerError(new ccxt.InsufficientFunds(signed), 'write', 'submit of order q-1', [
      'key-AbCdEf123456',
      'secret-ZyXw987654',
    ]);
    expect(error).toBeInstanceOf(BrokerError);
    expect(error.code).toBe('insufficient_funds');
    expect(error.message).toContain('submit of order q-1 failed: InsufficientFunds:');
    expect(error.message).toContain('Account has insufficient balance for requested action.');
    expect(error.message).not.toContain('0f1e2d3c4b5a');
    expect(error.message).not.toContain('key-AbCdEf123456');
    expect(error.message).toContain('signature=[REDACTED]');
  });

  it('keeps the ccxt class as the cause, without the secrets of its message', () => {
    const error = toBrokerError(new ccxt.RequestTimeout(signed), 'write', 'submit of order q-1', ['key-AbCdEf123456']);
    expect(error.code).toBe('unknown_outcome');
    expect(error.message).toContain('its outcome is unknown');
    expect(error.cause).toBeInstanceOf(ccxt.RequestTimeout);
    expect((error.cause as Error).message).not.toContain('0f1e2d3c4b5a');
  });

  it('returns a BrokerError as it is', () => {
    const original = new BrokerError('rejected', 'no');
    expect(toBrokerError(original, 'write', 'x', [])).toBe(original);
  });

  it('scrubs every signed parameter and the credentials, not short words', () => {
    expect(scrubMessage('a?apiKey=k1&signature=s1&secret=s2 abc', ['abc'])).toBe(
      'a?apiKey=[REDACTED]&signature=[REDACTED]&secret=[REDACTED] abc',
    );
    expect(scrubMessage('x key12345 y', ['key12345'])).toBe('x [REDACTED] y');
  });
});
