/**
 * What a fault does to a request it matches:
 * - `delay`: the exchange acts on the request (an order is placed), then holds the response for `delayMs`
 *   (real ms) before sending it: longer than the client's timeout, the client times out while the order exists;
 * - `rate_limit`: answers 429 with Binance's `-1003` and a `Retry-After` header (`retryAfterS`), doing nothing;
 * - `server_error`: answers `status`, before or after acting (`after`): 500 (the default) with Binance's `-1001`
 *   body (ccxt: `OperationFailed`), or a gateway's plain-text 502 or 503 (ccxt: `ExchangeNotAvailable`) or 504
 *   (ccxt: `RequestTimeout`);
 * - `drop`: destroys the connection without a response, before acting or, with `after: true`, after acting.
 */
export type FaultKind = 'delay' | 'rate_limit' | 'server_error' | 'drop';

/** A fault to inject into the next `times` requests matching `method` and `path`. Test-only. */
export interface FaultSpec {
  /** What to do; see {@link FaultKind}. */
  readonly kind: FaultKind;
  /** The request path, e.g. `/api/v3/order` (no query string). */
  readonly path: string;
  /** `GET`, `POST`, `DELETE`, …; any method when omitted. */
  readonly method?: string;
  /** How many matching requests it hits; 1 by default. */
  readonly times?: number;
  /** `delay`: how long the response is held, real ms; 30 000 by default. */
  readonly delayMs?: number;
  /** `rate_limit`: the `Retry-After` header, seconds; 1 by default. */
  readonly retryAfterS?: number;
  /** `server_error`: the HTTP status, 500 by default. */
  readonly status?: 500 | 502 | 503 | 504;
  /** `server_error` and `drop`: act on the request first (the order exists), then fail; `false` by default. */
  readonly after?: boolean;
}

/** A fault waiting for requests, as listed by {@link Faults.pending}. */
export interface PendingFault extends FaultSpec {
  /** Requests it will still hit. */
  readonly remaining: number;
}

/** Fault injection of a running exchange, for tests: programmatic here, or over HTTP at `/sim/faults`. */
export interface Faults {
  /**
   * Arms a fault for the next matching requests.
   * @param spec - kind, path, method, times and the kind's settings.
   * @throws TypeError when the spec is invalid (unknown kind, empty path, `times` < 1).
   */
  inject(spec: FaultSpec): void;
  /** Disarms every fault. */
  clear(): void;
  /** The faults still armed, in the order they were added. */
  pending(): readonly PendingFault[];
}

const KINDS: readonly FaultKind[] = ['delay', 'rate_limit', 'server_error', 'drop'];

/** The faults of one exchange: the first armed fault matching a request takes one of its hits. Internal. */
export class FaultTable implements Faults {
  #armed: { spec: FaultSpec; remaining: number }[] = [];

  inject(spec: FaultSpec): void {
    if (!KINDS.includes(spec.kind))
      throw new TypeError(`fault kind must be one of ${KINDS.join(', ')}, got ${spec.kind}`);
    if (typeof spec.path !== 'string' || !spec.path.startsWith('/')) {
      throw new TypeError(`fault path must start with /, got ${spec.path}`);
    }
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new TypeError(`fault times must be an integer >= 1, got ${times}`);
    this.#armed.push({ spec, remaining: times });
  }

  clear(): void {
    this.#armed = [];
  }

  pending(): readonly PendingFault[] {
    return this.#armed.map(({ spec, remaining }) => ({ ...spec, remaining }));
  }

  /** Takes one hit of the first fault matching the request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const entry = this.#armed.find(
      ({ spec }) => spec.path === path && (spec.method === undefined || spec.method.toUpperCase() === method),
    );
    if (!entry) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) this.#armed = this.#armed.filter((other) => other !== entry);
    return entry.spec;
  }
}
