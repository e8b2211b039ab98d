import type { Server } from 'node:http';
import { type AddressInfo, BlockList, isIP } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { type ApiOptions, checkApiOptions, createApi, MIN_TOKEN_LENGTH } from './create-api.js';
import { HttpError } from './http-error.js';

/** Options of {@link startApiServer}: those of {@link createApi}, and where to listen. */
export interface ApiServerOptions extends ApiOptions {
  /**
   * The address to bind; `127.0.0.1` by default. Even on loopback, any local process or user could read the bot's
   * state: the server always needs a `token`.
   */
  readonly host?: string;
  /** TCP port, 0 to 65 535; 0 (the default) picks a free one, reported in {@link ApiServer.url}. */
  readonly port?: number;
}

/** A running API server. */
export interface ApiServer {
  /** Its base URL, e.g. `http://127.0.0.1:41234` (the endpoints are under `${url}/api`). */
  readonly url: string;
  /** Stops listening and closes the connections (idempotent); the store stays open (it is the caller's). */
  close(): Promise<void>;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether an address is loopback (only this machine can reach it): `localhost`, `127.0.0.0/8` or `::1`.
 * @param host - an IP address or a host name (any other name counts as not loopback).
 */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const version = isIP(host);
  return version !== 0 && LOOPBACK.check(host, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Serves {@link createApi}'s app over HTTP with `@hono/node-server`, on `127.0.0.1` and a free port by default.
 * @param options - the API's options ({@link ApiOptions}) and `host`, `port`.
 * @returns the server's URL and `close()`, once it listens.
 * @throws {@link HttpError} `API_TOKEN_REQUIRED` (no token, on any address: every endpoint but `/api/health` is
 *   behind it),
 *   `API_BAD_OPTION` (a port outside 0 to 65 535, a token too short, …), `API_LISTEN_FAILED` (the port is in
 *   use, the address is not this machine's).
 * @example
 * ```ts
 * import { startApiServer } from '@quant/http';
 * import { EventStore } from '@quant/store';
 *
 * const store = await EventStore.open('data/quant.db');
 * const api = await startApiServer({ store, token: process.env.QUANT_API_TOKEN, port: 8080 }); // 127.0.0.1
 * // curl -H "Authorization: Bearer $QUANT_API_TOKEN" "http://127.0.0.1:8080/api/events?type=OrderFilled&limit=10"
 * console.log(`API on ${api.url}`);
 * // … at shutdown:
 * await api.close();
 * await store.close();
 * ```
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new HttpError('API_BAD_OPTION', `port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  checkApiOptions(options);
  if (options.token === undefined) {
    throw new HttpError(
      'API_TOKEN_REQUIRED',
      `refusing to serve the API on ${host} without a bearer token: every endpoint but /api/health needs one (at least ${MIN_TOKEN_LENGTH} characters)`,
    );
  }
  const app = createApi(options);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new HttpError('API_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.code ?? error.message}`, {
          cause: error,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
