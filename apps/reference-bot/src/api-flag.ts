import { type ApiConfig, apiListenProblem } from '@quant/config';
import { isLoopbackHost } from '@quant/http';
import { UsageError } from './cli-error.js';

/** Where and how `live` serves the operations API. */
export interface ApiListen {
  /** The address to bind, e.g. `127.0.0.1` or `::1` (brackets removed). */
  readonly host: string;
  /** The TCP port; 0: any free one. */
  readonly port: number;
  /** The bearer token (`API_TOKEN`). */
  readonly token: string;
  /** Whether other machines can reach the address (not loopback): the run says so when it starts. */
  readonly exposed: boolean;
  /** Where the address came from, as messages name it: `--api` or `api.listen`. */
  readonly source: string;
}

/**
 * Reads where to serve the API: `--api [host:]port` when given, else `api.listen` (empty: no API); the host is
 * `127.0.0.1` when not given. The token is `api.token` (from `API_TOKEN`), required on every address: on loopback
 * too, any local user could otherwise read the bot's orders and positions.
 * @param flag - the value of `--api`, or `undefined`.
 * @param config - the `api` section.
 * @returns the address and token, or `undefined` for no API.
 * @throws {@link UsageError} `BAD_FLAG`: a value that is not `[host:]port`, or no `API_TOKEN`.
 */
export function readApiListen(flag: string | undefined, config: ApiConfig): ApiListen | undefined {
  const text = flag ?? config.listen;
  const source = flag === undefined ? 'api.listen' : '--api';
  if (text === '') return undefined;
  const problem = apiListenProblem(text);
  if (problem !== undefined) throw new UsageError('BAD_FLAG', `${source} "${text}" is not valid: ${problem}`);
  const at = text.lastIndexOf(':');
  const host = at < 0 ? '127.0.0.1' : text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(at + 1));
  if (config.token === '') {
    throw new UsageError(
      'BAD_FLAG',
      `${source} "${text}" needs API_TOKEN in the environment: a bearer token of at least 16 characters (e.g. from openssl rand -hex 32), which every endpoint but /api/health asks for`,
    );
  }
  return { host, port, token: config.token, source, exposed: !isLoopbackHost(host) };
}
