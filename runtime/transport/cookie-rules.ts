/**
 * The shapes a cookie's name, path and domain may take, written once for both sides: generator/spec-schema.json
 * holds the same patterns (a test compares them), so a cookie `validate` accepts is one `installSessions()`
 * accepts, and the reverse (security.md #65).
 */

/** RFC 9110 `token`: what a cookie name may be (RFC 6265bis section 4.1.1). */
export const COOKIE_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/**
 * A path starting with `/`, with no whitespace, CTL, `;`, `,` or `=`, so an attribute can never end early
 * or start another (CVE-2024-47764; security.md #7).
 */
export const COOKIE_PATH_PATTERN = '^/[^\\u0000-\\u0020\\u007F;,=]*$';

/** A plain host name: letters, digits and inner hyphens in dot-separated labels; no scheme, port, path, leading dot or wildcard. */
export const COOKIE_DOMAIN_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';

/** The longest domain DNS allows (RFC 1035 section 2.3.4). */
export const COOKIE_DOMAIN_MAX_LENGTH = 253;

/** Compiled as ajv compiles the spec's patterns, with the `u` flag. */
export const COOKIE_NAME = new RegExp(COOKIE_NAME_PATTERN, 'u');
export const COOKIE_PATH = new RegExp(COOKIE_PATH_PATTERN, 'u');
export const COOKIE_DOMAIN = new RegExp(COOKIE_DOMAIN_PATTERN, 'u');

/**
 * The most cookies a chunked session's token is split over (security.md #67). Node's default limit for a
 * request's whole head is 16 KiB (`--max-http-header-size`): three full chunks take 12 KiB of it and leave
 * room for the request line, other headers and other cookies. A fourth would risk a 431 on every request the
 * browser makes, which the user could not get out of: the logout request would carry the cookies too.
 */
export const MAX_COOKIE_CHUNKS = 3;

/**
 * The cookie names a chunked session's token travels in: `NAME.0`, `NAME.1`, ... (Auth.js's naming).
 *
 * @example
 * chunkCookieNames('sid'); // ['sid.0', 'sid.1', 'sid.2']
 */
export function chunkCookieNames(name: string): string[] {
  return Array.from({ length: MAX_COOKIE_CHUNKS }, (_, index) => `${name}.${index}`);
}

/**
 * Whether a definition's cookies are persistent unless a write chooses otherwise: as sessions.yaml says
 * (`gen` always writes it), or persistent for a definition written by hand without it, as every cookie was
 * before the setting existed.
 */
export function persistentByDefault(settings: { readonly persistent?: boolean | undefined }): boolean {
  return settings.persistent ?? true;
}

/** Cookie name prefixes a browser enforces (RFC 6265bis section 4.1.3), matched ignoring case as browsers now do. */
export const SECURE_PREFIX = /^__(?:secure|host)-/i;
export const HOST_PREFIX = /^__host-/i;

/** The cookie settings the prefix and `Secure` rules read. */
export interface CookieAttributes {
  readonly path: string;
  readonly domain?: string | undefined;
  readonly secure: boolean | 'auto';
  readonly sameSite: 'strict' | 'lax' | 'none';
  readonly partitioned?: boolean | undefined;
}

/** A cookie setting browsers would make the cookie drop for: which one, and why. */
export interface CookieProblem {
  readonly setting: 'name' | 'path' | 'domain' | 'sameSite' | 'partitioned';
  readonly problem: string;
}

const NOT_AUTO = 'secure: auto is not enough, as it leaves Secure off on plain-HTTP requests';

/**
 * What a browser would drop a cookie named `name` for (the shapes of name, path and domain aside): a
 * `__Host-` cookie with a Domain or a Path other than `/` (RFC 6265bis section 4.1.3.2), and a prefixed,
 * `SameSite=None` or Partitioned cookie without `Secure`. One problem per setting that causes one.
 *
 * @example
 * cookieProblems('__Host-sid', { path: '/app', secure: true, sameSite: 'lax' });
 * // [{ setting: 'path', problem: 'a __Host- cookie must have path "/" ...' }]
 */
export function cookieProblems(name: string, attributes: CookieAttributes): CookieProblem[] {
  const problems: CookieProblem[] = [];
  const hostScope = 'browsers drop __Host- cookies that set a Domain or a Path other than / (RFC 6265bis section 4.1.3.2); remove it, or drop the prefix';
  if (HOST_PREFIX.test(name) && attributes.domain !== undefined) problems.push({ setting: 'domain', problem: `a __Host- cookie cannot set a domain: ${hostScope}` });
  if (HOST_PREFIX.test(name) && attributes.path !== '/') problems.push({ setting: 'path', problem: `a __Host- cookie must have path "/": ${hostScope}` });
  if (attributes.secure === true) return problems;
  const prefix = SECURE_PREFIX.exec(name)?.[0];
  if (prefix !== undefined) {
    problems.push({ setting: 'name', problem: `the ${prefix} cookie name needs secure: true, since browsers drop prefixed cookies without Secure (RFC 6265bis section 4.1.3); ${NOT_AUTO}` });
  }
  if (attributes.sameSite === 'none') {
    problems.push({ setting: 'sameSite', problem: `sameSite: none needs secure: true, since browsers drop SameSite=None cookies without Secure; ${NOT_AUTO}` });
  }
  if (attributes.partitioned === true) {
    problems.push({ setting: 'partitioned', problem: `partitioned: true needs secure: true, since browsers drop Partitioned cookies without Secure (CHIPS); ${NOT_AUTO}` });
  }
  return problems;
}
