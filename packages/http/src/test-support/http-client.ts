/** An answer of the API as the tests read it: the status, the body (JSON when it is JSON, else text), the raw text. */
export interface Answer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * A GET client of a running API: `get(path)` sends the bearer `token`, `get(path, headers)` those headers instead
 * (`{}`: none). `baseUrl` is read at each call (the server starts after the client is made).
 */
export function httpClient(baseUrl: () => string, token: string) {
  return async <T = Record<string, unknown>>(
    path: string,
    headers: Record<string, string> = { authorization: `Bearer ${token}` },
  ): Promise<Answer<T>> => {
    const response = await fetch(`${baseUrl()}${path}`, { headers });
    const text = await response.text();
    const json = response.headers.get('content-type')?.startsWith('application/json') === true;
    return { status: response.status, body: (json ? JSON.parse(text) : text) as T, headers: response.headers, text };
  };
}
