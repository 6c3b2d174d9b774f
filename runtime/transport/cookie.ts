import type { IncomingHttpHeaders } from 'node:http';
import type { CookieSettings } from '../definition.js';
import { SessionConfigError } from '../errors.js';
import { COOKIE_DOMAIN, COOKIE_DOMAIN_MAX_LENGTH, COOKIE_NAME, COOKIE_PATH, cookieProblems, persistentByDefault } from './cookie-rules.js';
import { MAX_SET_COOKIE_BYTES, compileSetCookie, longestValueFor, renderSetCookie, type SetCookieTemplate } from './set-cookie.js';
import type { ResponseHeaders } from './response-headers.js';
import type { CookieJar, Delivery, Transport } from './transport.js';

/**
 * The session token in a cookie. Reading takes the cookie with exactly the configured name (case and
 * prefix included, security.md #5) from the request's `Cookie` header; writing appends a `Set-Cookie`
 * line next to any the app set, with `Max-Age` and `Expires` for a persistent cookie and neither for a
 * browser-session one (security.md #8).
 */
export class CookieTransport implements Transport {
  readonly kind = 'cookie';
  readonly vary = 'Cookie';
  readonly cookieNames: readonly string[];
  /** What fits in a 4096-byte `Set-Cookie` line with this cookie's name and attributes at their longest. */
  readonly maxTokenLength: number;
  readonly outgoingLimit = MAX_SET_COOKIE_BYTES;
  readonly #template: SetCookieTemplate;
  readonly #persistent: boolean;

  /** Throws `SessionConfigError` for settings a browser would drop or that lose their guarantees. */
  constructor(
    readonly session: string,
    readonly name: string,
    settings: CookieSettings,
  ) {
    checkCookieSettings(session, name, settings);
    this.cookieNames = [name];
    this.#template = compileSetCookie(name, settings);
    this.maxTokenLength = longestValueFor(this.#template);
    this.#persistent = persistentByDefault(settings);
  }

  read(_headers: IncomingHttpHeaders, cookies: CookieJar): readonly string[] | undefined {
    return cookies.get(this.name);
  }

  send(response: ResponseHeaders, token: string, { maxAge, persistent, now }: Delivery): void {
    const secure = this.#isSecure(response);
    response.append('Set-Cookie', renderSetCookie(this.#template, token, (persistent ?? this.#persistent) ? maxAge : undefined, secure, now));
    if (!secure && this.#template.secure === 'auto') response.sentWithoutSecure(this.session);
  }

  expire(response: ResponseHeaders): void {
    response.append('Set-Cookie', renderSetCookie(this.#template, '', 0, this.#isSecure(response), 0));
  }

  holds(presented: CookieJar, token: string, secure: boolean): boolean {
    // `secure: auto` over HTTPS: the browser's copy may have come over HTTP without `Secure`, and the request
    // cannot say which; sending it again upgrades it (security.md #11).
    if (secure && this.#template.secure === 'auto') return false;
    const values = presented.get(this.name);
    return values !== undefined && values.length === 1 && values[0] === token;
  }

  /**
   * `secure: auto` follows `ctx.secure`, which trusts `X-Forwarded-Proto` only when `app.proxy` is set;
   * the header is never read here (security.md #11).
   */
  #isSecure(response: ResponseHeaders): boolean {
    return this.#template.secure === 'auto' ? response.secure : this.#template.secure;
  }
}

/**
 * The values of the cookies named in `names`, from a `Cookie` header (RFC 6265bis section 5.7.4, minus
 * the parts that do not concern session tokens). Never throws; pairs without `=` and empty values are
 * skipped. Repeated names keep every value in order (security.md #4), including HTTP/2's split `Cookie`
 * headers, which Node joins with `; `. Time is linear in the header's length, whatever its shape.
 *
 * @example
 * parseCookies('a=1; sid=x; sid=y', new Set(['sid'])); // Map { 'sid' => ['x', 'y'] }
 */
export function parseCookies(header: string, names: ReadonlySet<string>): CookieJar {
  const jar = new Map<string, string[]>();
  let start = 0;
  let equals = 0;
  while (start < header.length) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon === -1 ? header.length : semicolon;
    // The first `=` at or after `start`, without scanning any character twice: the search resumes from the
    // last `=` found while it is still ahead, and ends at once when none is left. Searching from `start` each
    // time rescans a header without `=` once per `;`: quadratic (security.md #59). The call is unconditional on
    // purpose: V8's optimizing compiler was seen running an `indexOf` guarded by an `if` on every pass anyway.
    equals = header.indexOf('=', equals === -1 ? header.length : Math.max(start, equals));
    if (equals !== -1 && equals < end) {
      const name = trimWhitespace(header, start, equals);
      if (names.has(name)) {
        const value = trimWhitespace(header, equals + 1, end);
        if (value !== '') {
          const values = jar.get(name);
          if (values === undefined) jar.set(name, [value]);
          else values.push(value);
        }
      }
    }
    start = end + 1;
  }
  return jar;
}

/** `header.slice(start, end)` without leading and trailing SP and HTAB (RFC 9110 OWS), and nothing else. */
function trimWhitespace(header: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && isWhitespace(header.charCodeAt(from))) from += 1;
  while (to > from && isWhitespace(header.charCodeAt(to - 1))) to -= 1;
  return header.slice(from, to);
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * The cookie rules `validate` enforces (security.md #6, #7), checked again at startup so a hand-written
 * or stale definition cannot ship a cookie the browser drops.
 *
 * @example
 * checkCookieSettings('user', '__Host-sid', { path: '/app', httpOnly: true, secure: true, sameSite: 'lax' });
 * // throws SessionConfigError: session "user": cookie "__Host-sid": a __Host- cookie must have path "/": ...
 */
export function checkCookieSettings(session: string, name: string, settings: CookieSettings): void {
  const fail = (problem: string): never => {
    throw new SessionConfigError(`session "${session}": cookie "${name}" ${problem}; fix it in sessions.yaml and run \`npx typed-sessions gen\``);
  };
  if (!COOKIE_NAME.test(name)) fail('has a name with a character cookies do not allow (space, CTL or one of ()<>@,;:\\"/[]?={})');
  if (!COOKIE_PATH.test(settings.path)) {
    fail(`has path ${JSON.stringify(settings.path)}: it must start with "/" and hold no whitespace, CTL, ";", "," or "="`);
  }
  if (settings.domain !== undefined && !(settings.domain.length <= COOKIE_DOMAIN_MAX_LENGTH && COOKIE_DOMAIN.test(settings.domain))) {
    fail(`has domain ${JSON.stringify(settings.domain)}: it must be a plain host name like example.com (no scheme, port, path, leading dot or wildcard)`);
  }
  const [first] = cookieProblems(name, settings);
  if (first !== undefined) throw new SessionConfigError(`session "${session}": cookie "${name}": ${first.problem}`);
}
