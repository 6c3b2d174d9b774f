/**
 * Before a variant is measured: its sessions logged in (many distinct ones, for the variants that keep a
 * session), and a check that it does what it says.
 */
import type { Variant } from './variants.js';

/** Logins in flight at once: enough to make a thousand quick, few enough not to look like load. */
const LOGINS_IN_FLIGHT = 8;

/**
 * The Cookie header values (name=value pairs, as a browser sends them back) of `sessions` logins, session i
 * for user `user-⌊i / sessionsPerUser⌋`; a variant that keeps no session logs in once. Bare Koa sends no
 * cookie at all: then the list is empty.
 */
export async function login(url: string, variant: Variant, sessions: number): Promise<string[]> {
  const count = variant.keepsSession ? sessions : 1;
  const perUser = variant.sessionsPerUser ?? 1;
  const cookies = new Array<string>(count);
  let next = 0;
  async function worker(): Promise<void> {
    for (let index = next++; index < count; index = next++) {
      const response = await fetch(`${url}/login?user=user-${Math.floor(index / perUser)}`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`POST ${url}/login answered ${response.status}, not 204`);
      cookies[index] = cookieHeader(response.headers.getSetCookie());
    }
  }
  await Promise.all(Array.from({ length: Math.min(LOGINS_IN_FLIGHT, count) }, worker));
  return cookies.filter((cookie) => cookie !== '');
}

function cookieHeader(setCookies: readonly string[]): string {
  return setCookies.map((line) => line.slice(0, line.indexOf(';') === -1 ? undefined : line.indexOf(';'))).join('; ');
}

/**
 * Two requests on one session, the second carrying what the first sent back, as a browser would: each
 * answers 200 with a count, the second count one more than the first exactly when the variant writes, and a
 * `Set-Cookie` exactly when it sends one (a by-id session of ours writes its entry and sends nothing: the
 * browser keeps its cookie). A variant that silently did less work would otherwise look fast. Resolves to the
 * last `Set-Cookie` line, if any.
 */
export async function checkWorkload(url: string, cookie: string | undefined, variant: Variant): Promise<string | undefined> {
  let line: string | undefined;
  let sent = cookie;
  const counts: number[] = [];
  const sendsCookie = variant.writes && variant.keepsCookie !== true;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const response = await fetch(`${url}/counter`, { headers: sent === undefined ? {} : { cookie: sent } });
    const body = (await response.json().catch(() => undefined)) as { count?: unknown } | undefined;
    const setCookies = response.headers.getSetCookie();
    line = setCookies[0];
    const wrote = line !== undefined;
    if (response.status !== 200 || typeof body?.count !== 'number' || (cookie !== undefined && wrote !== sendsCookie)) {
      throw new Error(
        `${variant.label}: GET /counter answered ${response.status} ${JSON.stringify(body)} with${wrote ? '' : 'out'} Set-Cookie; expected 200 { count }${sendsCookie ? ' and a Set-Cookie' : ' and no Set-Cookie'}`,
      );
    }
    counts.push(body.count);
    if (sent !== undefined && wrote) sent = withCookies(sent, cookieHeader(setCookies));
  }
  const [first, second] = counts as [number, number];
  if (variant.keepsSession && second !== (variant.writes ? first + 1 : first)) {
    throw new Error(`${variant.label}: GET /counter counted ${first} then ${second}; expected ${variant.writes ? 'one more each time (the session written back)' : 'the same count (read only)'}`);
  }
  return line;
}

/** `header` (a Cookie header) with the pairs of `update` in place of those of the same names. */
function withCookies(header: string, update: string): string {
  const pairs = new Map(header.split('; ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair] as const));
  for (const pair of update.split('; ')) pairs.set(pair.slice(0, pair.indexOf('=')), pair);
  return [...pairs.values()].join('; ');
}

/** A `Set-Cookie` line's attributes, after its name=value: what the floors must send as ours does. */
export function cookieAttributes(line: string | undefined): string {
  return line === undefined ? '(no Set-Cookie)' : line.slice(line.indexOf(';') + 1).trim();
}
