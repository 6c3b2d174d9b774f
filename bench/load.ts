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
 * Two requests on one session: each answers 200 with a count, and a `Set-Cookie` exactly when the variant
 * writes. A variant that silently did less work would otherwise look fast. Resolves to the last
 * `Set-Cookie` line, if any.
 */
export async function checkWorkload(url: string, cookie: string | undefined, variant: Variant): Promise<string | undefined> {
  let line: string | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const response = await fetch(`${url}/counter`, { headers: cookie === undefined ? {} : { cookie } });
    const body = (await response.json().catch(() => undefined)) as { count?: unknown } | undefined;
    line = response.headers.getSetCookie()[0];
    const wrote = line !== undefined;
    if (response.status !== 200 || typeof body?.count !== 'number' || (cookie !== undefined && wrote !== variant.writes)) {
      throw new Error(
        `${variant.label}: GET /counter answered ${response.status} ${JSON.stringify(body)} with${wrote ? '' : 'out'} Set-Cookie; expected 200 { count }${variant.writes ? ' and a Set-Cookie' : ''}`,
      );
    }
  }
  return line;
}

/** A `Set-Cookie` line's attributes, after its name=value: what the floors must send as ours does. */
export function cookieAttributes(line: string | undefined): string {
  return line === undefined ? '(no Set-Cookie)' : line.slice(line.indexOf(';') + 1).trim();
}
