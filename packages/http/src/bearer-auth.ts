import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Middleware that lets a request through only with `Authorization: Bearer <token>`. Both sides are hashed
 * (SHA-256) before `timingSafeEqual`, so the comparison takes the same time whatever the token's length or its
 * first differing character. A refusal is a 401 `{ error: { code: 'UNAUTHORIZED', message } }` with a
 * `WWW-Authenticate` header; neither the token expected nor the one given is ever in it.
 * @internal
 */
export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header('authorization');
    const given = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      await next();
      return;
    }
    const missing = given === undefined;
    c.header('WWW-Authenticate', missing ? 'Bearer realm="quant"' : 'Bearer realm="quant", error="invalid_token"');
    return c.json(
      {
        error: {
          code: 'UNAUTHORIZED',
          message: missing
            ? 'this endpoint needs an "Authorization: Bearer <token>" header'
            : 'the bearer token is not the one configured',
        },
      },
      401,
    );
  };
}
