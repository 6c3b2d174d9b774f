/**
 * What `ctx.sessions.set(name, value, options)` may ask of a cookie session beyond sessions.yaml, as React
 * Router's `commitSession(session, { maxAge })` and express-session's `cookie.maxAge` do: a persistent or a
 * browser-session cookie ("remember me"), and a shorter life. A write resolves its options once into the
 * `CookieChoice` the envelope keeps, sealed by value and stored by id, so every later request that re-sends
 * the session keeps the choice too: a refresh never turns a browser-session cookie into a persistent one
 * (security.md #68).
 */
import type { CookieChoice } from './envelope.js';
import { SessionUsageError } from './errors.js';
import { formatSeconds } from './expiry-rules.js';

/** The third argument of `set` for a cookie session. */
export interface CookieOptions {
  /**
   * `true`: the cookie carries `Max-Age` and `Expires`, and outlives the browser ("remember me"); `false`: a
   * browser-session cookie, which the browser drops when it closes. Default: sessions.yaml's `cookie.persistent`.
   */
  readonly persistent?: boolean;
  /**
   * Whole seconds from now after which the session ends, on the server as in the cookie: at most the spec's
   * `expiry.maxAge`, and never past the session's absolute deadline (creation + `expiry.maxAge`), which a
   * write cannot move. Default: that deadline.
   */
  readonly maxAge?: number;
}

/** What the spec says of the session, for resolving a write's options. */
export interface CookieDefaults {
  readonly persistent: boolean;
  /** `expiry.maxAge`, seconds. */
  readonly maxAge: number;
}

/**
 * The choice `options` make for session `session` at `now` (epoch seconds). Throws `SessionUsageError` for
 * options past the types (plain JavaScript, a cast) and for a `maxAge` over the spec's: a write may shorten
 * a session's life, never lengthen it. Refused rather than clamped, so a "remember me for 30 days" on a
 * 7-day session is an error the developer sees, not a silent week.
 *
 * @example
 * cookieChoice('user', { persistent: true, maxAge: 3600 }, { persistent: false, maxAge: 604800 }, 1700000000);
 * // { persistent: true, expiresAt: 1700003600 }
 */
export function cookieChoice(session: string, options: CookieOptions, defaults: CookieDefaults, now: number): CookieChoice {
  const fail = (problem: string): never => {
    throw new SessionUsageError(`session "${session}": set() ${problem}`);
  };
  if (typeof options !== 'object' || options === null) fail('takes cookie options as an object: { persistent?: boolean, maxAge?: seconds }');
  const unknown = Object.keys(options).find((key) => key !== 'persistent' && key !== 'maxAge');
  if (unknown !== undefined) fail(`has no cookie option ${JSON.stringify(unknown)}; the options are persistent and maxAge`);
  const { persistent, maxAge } = options;
  if (persistent !== undefined && typeof persistent !== 'boolean') fail(`option persistent must be true or false, not ${String(persistent)}`);
  if (maxAge !== undefined && !(Number.isSafeInteger(maxAge) && maxAge > 0)) fail(`option maxAge must be a whole number of seconds above 0, not ${String(maxAge)}`);
  if (maxAge !== undefined && maxAge > defaults.maxAge) {
    fail(
      `option maxAge (${formatSeconds(maxAge)}) is over the session's expiry.maxAge (${formatSeconds(defaults.maxAge)}): a write may shorten a session's life, never extend it; pass at most ${defaults.maxAge}, or raise expiry.maxAge in sessions.yaml`,
    );
  }
  return { persistent: persistent ?? defaults.persistent, ...(maxAge === undefined ? {} : { expiresAt: now + maxAge }) };
}
