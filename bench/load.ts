/**
 * The load generator's side: sessions obtained first, a check that a variant does what it says, and
 * autocannon runs where every request carries a real session cookie.
 */
import autocannon from 'autocannon';

export interface LoadFigures {
  readonly requestsPerSecond: number;
  /** Responses completed in the window. */
  readonly requests: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
}

/** `count` sessions, each as the `Cookie` header value a browser would send back (name=value pairs). */
export async function login(url: string, count: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${url}/login`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`POST ${url}/login answered ${response.status}, not 204`);
    const cookie = cookieHeader(response.headers.getSetCookie());
    // Bare Koa keeps no session: its requests carry no cookie.
    if (cookie !== '') cookies.push(cookie);
  }
  return cookies;
}

function cookieHeader(setCookies: readonly string[]): string {
  return setCookies.map((line) => line.slice(0, line.indexOf(';') === -1 ? undefined : line.indexOf(';'))).join('; ');
}

/**
 * Two requests on one session: each answers 200 with a count, and a `Set-Cookie` exactly when the
 * variant writes. A variant that silently did less work would otherwise look fast.
 */
export async function checkWorkload(url: string, cookie: string, writes: boolean, label: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const response = await fetch(`${url}/counter`, { headers: cookie === '' ? {} : { cookie } });
    const body = (await response.json().catch(() => undefined)) as { count?: unknown } | undefined;
    const wrote = response.headers.getSetCookie().length > 0;
    if (response.status !== 200 || typeof body?.count !== 'number' || (cookie !== '' && wrote !== writes)) {
      throw new Error(
        `${label}: GET /counter answered ${response.status} ${JSON.stringify(body)} with${wrote ? '' : 'out'} Set-Cookie; expected 200 { count }${writes ? ' and a Set-Cookie' : ''}`,
      );
    }
  }
}

export interface LoadOptions {
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
}

/**
 * GET /counter for `duration` seconds over `connections` keep-alive connections, connection i sending
 * session i (from its first request on: sessions by id refuse concurrent writes to one session).
 * Any error, timeout or non-2xx answer fails the run: a benchmark of failures measures nothing.
 */
export async function runLoad(url: string, cookies: readonly string[], options: LoadOptions): Promise<LoadFigures> {
  let next = 0;
  const result = await autocannon({
    url: `${url}/counter`,
    connections: options.connections,
    pipelining: 1,
    duration: options.duration,
    setupClient(client) {
      if (cookies.length > 0) client.setHeaders({ cookie: cookies[next++ % cookies.length]! });
    },
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers under load`);
  }
  return { requestsPerSecond: result.requests.average, requests: result.requests.total, p50: result.latency.p50, p99: result.latency.p99 };
}
