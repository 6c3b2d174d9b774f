import type { CookieSettings } from '../definition.js';
import { MAX_COOKIE_AGE_SECONDS } from '../lifetime.js';

/**
 * Renders `Set-Cookie` lines (RFC 6265bis section 4.1). Values are always base64url, so they never need
 * quoting or escaping (security.md #7). The attributes that never change are rendered once per session at
 * startup; per response only the value, `Max-Age`/`Expires` (or neither, for a browser-session cookie) and,
 * for `secure: auto`, `Secure` vary.
 */

/** Browsers store at most 4096 bytes of name, value and attributes (RFC 6265bis section 5.6, item 1). */
export const MAX_SET_COOKIE_BYTES = 4096;

/** Expires for a cookie being cleared (with `Max-Age=0`, for clients that ignore `Max-Age`). */
const EPOCH = new Date(0).toUTCString();

export interface SetCookieTemplate {
  readonly name: string;
  /** `; Path=...; Domain=...` */
  readonly scope: string;
  /** `; HttpOnly; SameSite=...; Partitioned; Priority=...`, after `Secure`. */
  readonly flags: string;
  readonly secure: boolean | 'auto';
}

const SAME_SITE = { strict: 'Strict', lax: 'Lax', none: 'None' } as const;
const PRIORITY = { low: 'Low', medium: 'Medium', high: 'High' } as const;

/**
 * @example
 * const template = compileSetCookie('sid', { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
 */
export function compileSetCookie(name: string, settings: CookieSettings): SetCookieTemplate {
  return {
    name,
    scope: `; Path=${settings.path}${settings.domain === undefined ? '' : `; Domain=${settings.domain}`}`,
    flags:
      (settings.httpOnly ? '; HttpOnly' : '') +
      `; SameSite=${SAME_SITE[settings.sameSite]}` +
      (settings.partitioned === true ? '; Partitioned' : '') +
      (settings.priority === undefined ? '' : `; Priority=${PRIORITY[settings.priority]}`),
    secure: settings.secure,
  };
}

/**
 * One `Set-Cookie` value. `maxAge` is whole seconds, `Expires` the same instant for clients that predate
 * `Max-Age`; `maxAge` 0 clears the cookie, with the same name, Path and Domain it was set with, and
 * `undefined` sends neither attribute: a browser-session cookie, dropped when the browser closes (security.md #8).
 *
 * @example
 * renderSetCookie(template, 'abc', 3600, true, Date.UTC(2025, 0, 1));
 * // 'sid=abc; Path=/; Max-Age=3600; Expires=Wed, 01 Jan 2025 01:00:00 GMT; HttpOnly; Secure; SameSite=Lax'
 * renderSetCookie(template, 'abc', undefined, true, 0); // 'sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax'
 */
export function renderSetCookie(template: SetCookieTemplate, value: string, maxAge: number | undefined, secure: boolean, now: number): string {
  const lifetime = maxAge === undefined ? '' : maxAge === 0 ? CLEARED : lifetimeAttributes(maxAge, now);
  return `${template.name}=${value}${template.scope}${lifetime}${secure ? '; Secure' : ''}${template.flags}`;
}

const CLEARED = `; Max-Age=0; Expires=${EPOCH}`;

/**
 * `; Max-Age=...; Expires=...` for a cookie that lives `maxAge` seconds from `now` (epoch ms). The text is
 * kept for the last second and lifetime it was made for: under load most responses in a second carry the
 * same one, and formatting a date is most of what rendering a `Set-Cookie` costs.
 */
function lifetimeAttributes(maxAge: number, now: number): string {
  const expires = Math.floor(now / 1000) + maxAge;
  if (expires !== lastExpires || maxAge !== lastMaxAge) {
    lastExpires = expires;
    lastMaxAge = maxAge;
    lastLifetime = `; Max-Age=${maxAge}; Expires=${new Date(expires * 1000).toUTCString()}`;
  }
  return lastLifetime;
}

let lastExpires = -1;
let lastMaxAge = -1;
let lastLifetime = '';

/**
 * The largest cookie value that keeps the whole `Set-Cookie` within `MAX_SET_COOKIE_BYTES` whatever the
 * request: the longest `Max-Age` `cookieMaxAge` writes, `Secure` present. Values are ASCII, so characters are bytes.
 */
export function longestValueFor(template: SetCookieTemplate): number {
  return MAX_SET_COOKIE_BYTES - renderSetCookie(template, '', MAX_COOKIE_AGE_SECONDS, true, 0).length;
}
