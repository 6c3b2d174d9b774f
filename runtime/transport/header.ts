import type { IncomingHttpHeaders } from 'node:http';
import { SessionConfigError } from '../errors.js';
import type { ResponseHeaders } from './response-headers.js';
import type { CookieJar, Transport } from './transport.js';

const MAX_HEADER_TOKEN_LENGTH = 8192;

/**
 * Headers the HTTP stack owns: the cookie headers, routing and framing, and the hop-by-hop headers of
 * RFC 9110 section 7.6.1, which proxies strip. A session token in one of them is lost or breaks the message.
 * Refused by `validate` and at startup alike (security.md #65).
 */
export const FORBIDDEN_HEADER_NAMES: ReadonlySet<string> = new Set([
  'cookie',
  'set-cookie',
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/** RFC 9110 section 5.1: a field name is a `token`. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The session token in a request header, echoed in a response header of the same name whenever it
 * changes (Ktor's `header` transport). Never touches cookies (security.md #9). The value is the bare token:
 * anything else (a `Bearer` scheme, whitespace, two tokens joined with ", " by Node) fails the token
 * alphabet and is refused.
 */
export class HeaderTransport implements Transport {
  readonly kind = 'header';
  readonly vary: string;
  /** Well under Node's 16 KB limit for all headers together. */
  readonly maxTokenLength = MAX_HEADER_TOKEN_LENGTH;
  readonly outgoingLimit = MAX_HEADER_TOKEN_LENGTH;
  /** Node lower-cases incoming header names. */
  readonly #key: string;

  constructor(
    session: string,
    readonly name: string,
  ) {
    if (!HEADER_NAME.test(name)) {
      throw new SessionConfigError(
        `session "${session}": header "${name}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only); fix it in sessions.yaml`,
      );
    }
    if (FORBIDDEN_HEADER_NAMES.has(name.toLowerCase())) {
      throw new SessionConfigError(
        `session "${session}": header "${name}" is owned by the HTTP stack (cookies, routing, framing or hop-by-hop), so the token would be lost or break the message; choose a name like X-Session in sessions.yaml`,
      );
    }
    this.vary = name;
    this.#key = name.toLowerCase();
  }

  read(headers: IncomingHttpHeaders, _cookies: CookieJar): readonly string[] | undefined {
    const value = headers[this.#key];
    return typeof value === 'string' && value !== '' ? [value] : undefined;
  }

  send(response: ResponseHeaders, token: string): void {
    response.set(this.name, token);
  }

  /** An empty header: the client's signal to drop its token. */
  expire(response: ResponseHeaders): void {
    response.set(this.name, '');
  }
}
