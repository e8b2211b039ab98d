import { createHmac, timingSafeEqual } from 'node:crypto';
import { reject } from './binance-rejection.js';

const MAX_RECV_WINDOW_MS = 60_000;
const DEFAULT_RECV_WINDOW_MS = 5_000;
const AHEAD_TOLERANCE_MS = 1_000;

/** Removes the `signature` parameter from a raw `a=1&b=2` string; returns the rest and the signature. */
function withoutSignature(raw: string): { rest: string; signature: string | undefined } {
  let signature: string | undefined;
  const kept = raw.split('&').filter((part) => {
    if (!part.startsWith('signature=')) return true;
    signature = decodeURIComponent(part.slice('signature='.length));
    return false;
  });
  return { rest: raw === '' ? '' : kept.join('&'), signature };
}

/**
 * Checks a SIGNED request as Binance does: the HMAC-SHA256 `signature`, keyed with the account's secret, over
 * the query string concatenated with the form body (the `signature` parameter left out), then `timestamp`
 * within `recvWindow` (5 000 ms by default, at most 60 000) of the exchange's clock, at most 1 000 ms ahead. Internal.
 * @throws BinanceRejection -1102 (no signature or timestamp), -1022, -1131, -1021.
 */
export function checkSignature(
  input: { query: string; body: string; secret: string; timestamp: string | undefined; recvWindow: string | undefined },
  serverTime: number,
): void {
  const query = withoutSignature(input.query);
  const body = withoutSignature(input.body);
  const signature = query.signature ?? body.signature;
  if (signature === undefined || signature === '') throw reject.mandatory('signature');
  const expected = createHmac('sha256', input.secret)
    .update(query.rest + body.rest)
    .digest();
  const given = Buffer.from(signature, 'hex');
  if (!/^[0-9a-fA-F]{64}$/.test(signature) || !timingSafeEqual(expected, given)) throw reject.badSignature();
  if (input.timestamp === undefined || !/^[0-9]{1,20}$/.test(input.timestamp)) throw reject.mandatory('timestamp');
  let recvWindow = DEFAULT_RECV_WINDOW_MS;
  if (input.recvWindow !== undefined) {
    if (!/^[0-9]{1,20}(\.[0-9]{1,3})?$/.test(input.recvWindow)) throw reject.illegal('recvWindow');
    recvWindow = Number(input.recvWindow);
    if (recvWindow > MAX_RECV_WINDOW_MS) throw reject.badRecvWindow();
  }
  const timestamp = Number(input.timestamp);
  if (timestamp >= serverTime + AHEAD_TOLERANCE_MS) throw reject.aheadOfServer();
  if (serverTime - timestamp > recvWindow) throw reject.outsideRecvWindow();
}
