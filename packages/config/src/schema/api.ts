import * as v from 'valibot';
import type { DeepReadonly } from './deep-readonly.js';
import { count, section } from './fields.js';

/**
 * Why an `api.listen` is refused, or `undefined`: empty (no API) or `[host:]port`, the port 0 to 65 535 (0: any
 * free one), the host an IPv4 address, `[IPv6]` or a name.
 * @param listen - the value of `api.listen` (or of `quant-bot live --api`).
 */
export function apiListenProblem(listen: string): string | undefined {
  if (listen === '') return undefined;
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(listen);
  if (match === null || Number(match[2]) > 65_535) {
    return `expected [host:]port, e.g. 8080 or 127.0.0.1:8080 (port 0 to 65535), got "${listen}"`;
  }
  return undefined;
}

/**
 * `api`: the operations API of `quant-bot live` (`@quant/http`): where it listens, its bearer token (from the
 * environment only: `API_TOKEN`), and the thresholds of its health endpoints.
 */
export const apiSchema = section(
  {
    listen: v.optional(
      v.pipe(
        v.string(),
        v.check(
          (listen) => apiListenProblem(listen) === undefined,
          (issue) => apiListenProblem(issue.input as string) ?? '',
        ),
        v.description(
          'Serve the operations API on [host:]port (the host 127.0.0.1 when not given); empty: no API unless live --api is given. Serving it needs api.token.',
        ),
      ),
      '',
    ),
    token: v.optional(
      v.pipe(
        v.string(),
        v.check(
          (token) => token === '' || token.length >= 16,
          'expected a bearer token of at least 16 characters (e.g. openssl rand -hex 32)',
        ),
        v.description(
          'The bearer token every endpoint but /api/health requires: from API_TOKEN only, never written in a file; at least 16 characters. Required when the API is served (on loopback too).',
        ),
      ),
      '',
    ),
    disk_min_free_mb: count(
      1024,
      0,
      'Free space, MB, below which /api/health/disk (and /api/health) answer 503: on the disk of the event store (a SQLite file) or of the working directory.',
    ),
    max_query_bytes: count(4096, 256, 'The longest query string a request may have, bytes (longer: 414).'),
  },
  'The operations API (quant-bot live --api).',
);

/** The validated `api` section. */
export type ApiConfig = DeepReadonly<v.InferOutput<typeof apiSchema>>;
