import type { IncomingHttpHeaders } from 'node:http';
import type { ResponseHeaders } from './response-headers.js';

/**
 * Where a session's token travels (Ktor's `SessionTransport`): a cookie or a request/response header.
 * Transports move strings and know nothing of what the strings mean; the tracker and transformers do.
 */
export interface Transport {
  readonly kind: 'cookie' | 'header';
  /** Cookie or header name, as configured. */
  readonly name: string;
  /** What a response that depends on this session varies on: `Cookie`, or the header's name (security.md #12). */
  readonly vary: string;
  /**
   * Longest token `send` can deliver, and so the longest incoming token considered: a longer one is
   * refused before any decoding, in O(1) (security.md #3, after gorilla/securecookie's `maxLength`), and
   * makes `set` throw `SessionTooLargeError`. One limit both ways, so a token this session accepts can
   * always be sent back by a rolling refresh, a re-seal or a key rotation (security.md #58).
   */
  readonly maxTokenLength: number;
  /** The byte limit `maxTokenLength` derives from, for the error message. */
  readonly outgoingLimit: number;
  /**
   * The non-empty values presented for this session, in request order; `undefined` when there are none.
   * `cookies` holds the request's cookies with configured names, parsed once per request.
   */
  read(headers: IncomingHttpHeaders, cookies: CookieJar): readonly string[] | undefined;
  /** Delivers `token`, to be kept `maxAge` more seconds from `now` (epoch milliseconds). */
  send(response: ResponseHeaders, token: string, maxAge: number, now: number): void;
  /** Tells the client to drop its token. */
  expire(response: ResponseHeaders): void;
}

/** Cookie values by name, for the configured session cookie names only. */
export type CookieJar = ReadonlyMap<string, readonly string[]>;

/** Session tokens are base64url: from a transformer, an id, or an unsealed envelope. */
export const TOKEN_ALPHABET = /^[A-Za-z0-9_-]+$/;
