/** A Binance API error: the HTTP status and the `{ code, msg }` body Binance sends. Internal. */
export class BinanceRejection extends Error {
  readonly status: number;
  readonly code: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: number, msg: string, headers: Record<string, string> = {}) {
    super(msg);
    this.name = 'BinanceRejection';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  /** The JSON body Binance sends. */
  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

/** The Binance errors the venue sends, by name. */
export const reject = {
  apiKeyFormat: () => new BinanceRejection(401, -2014, 'API-key format invalid.'),
  invalidApiKey: () => new BinanceRejection(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  /** An unknown `apiKey` on a test-only `/sim` route: Binance's -2015, as a 404 (no such account). */
  unknownAccount: () => new BinanceRejection(404, -2015, 'Invalid API-key, IP, or permissions for action.'),
  badSignature: () => new BinanceRejection(400, -1022, 'Signature for this request is not valid.'),
  outsideRecvWindow: () => new BinanceRejection(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  aheadOfServer: () =>
    new BinanceRejection(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  badRecvWindow: () => new BinanceRejection(400, -1131, 'recvWindow must be less than 60000'),
  mandatory: (name: string) =>
    new BinanceRejection(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  either: (first: string, second: string) =>
    new BinanceRejection(400, -1102, `Param '${first}' or '${second}' must be sent, but both were empty/null!`),
  illegal: (name: string) => new BinanceRejection(400, -1100, `Illegal characters found in parameter '${name}'.`),
  notRequired: (name: string) => new BinanceRejection(400, -1106, `Parameter '${name}' sent when not required.`),
  invalidData: (name: string) => new BinanceRejection(400, -1130, `Data sent for parameter '${name}' is not valid.`),
  invalidSymbol: () => new BinanceRejection(400, -1121, 'Invalid symbol.'),
  invalidInterval: () => new BinanceRejection(400, -1120, 'Invalid interval.'),
  invalidSide: () => new BinanceRejection(400, -1117, 'Invalid side.'),
  invalidType: () => new BinanceRejection(400, -1116, 'Invalid orderType.'),
  invalidTimeInForce: () => new BinanceRejection(400, -1115, 'Invalid timeInForce.'),
  filter: (filter: string) => new BinanceRejection(400, -1013, `Filter failure: ${filter}`),
  insufficientBalance: () => new BinanceRejection(400, -2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => new BinanceRejection(400, -2010, 'Duplicate order sent.'),
  unknownOrder: () => new BinanceRejection(400, -2011, 'Unknown order sent.'),
  noSuchOrder: () => new BinanceRejection(400, -2013, 'Order does not exist.'),
  tooManyRequests: (retryAfterS: number) =>
    new BinanceRejection(
      429,
      -1003,
      'Too many requests; current limit of IP(127.0.0.1) request weight is 6000 per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
      { 'Retry-After': String(retryAfterS) },
    ),
  internal: (status: number) =>
    new BinanceRejection(status, -1001, 'Internal error; unable to process your request. Please try again.'),
};
