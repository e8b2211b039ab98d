import { type ApiConfig, apiListenProblem } from '@quant/config';
import { isLoopbackHost } from '@quant/http';
import { UsageError } from './cli-error.js';

/** Where and how `live` serves the operations API. */
export interface ApiListen {
  /** The address to bind, e.g. `127.0.0.1` or `::1` (brackets removed). */
  readonly host: string;
  /** The TCP port; 0: any free one. */
  readonly port: number;
  /** The bearer token (`API_TOKEN`), or `undefined` for none (loopback only). */
  readonly token: string | undefined;
  /** Where the address came from, as messages name it: `--api` or `api.listen`. */
  readonly source: string;
}

/**
 * Reads where to serve the API: `--api [host:]port` when given, else `api.listen` (empty: no API); the host is
 * `127.0.0.1` when not given. The token is `api.token` (from `API_TOKEN`).
 * @param flag - the value of `--api`, or `undefined`.
 * @param config - the `api` section.
 * @returns the address and token, or `undefined` for no API.
 * @throws {@link UsageError} `BAD_FLAG`: a value that is not `[host:]port`, or an address other than loopback
 *   without a token.
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
  const token = config.token === '' ? undefined : config.token;
  if (token === undefined && !isLoopbackHost(host)) {
    throw new UsageError(
      'BAD_FLAG',
      `${source} "${text}" binds ${host}, which other machines can reach: set API_TOKEN (a bearer token of at least 16 characters, e.g. from openssl rand -hex 32) in the environment, or bind 127.0.0.1`,
    );
  }
  return { host, port, token, source };
}
