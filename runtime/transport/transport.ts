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
  /** The cookies `read` takes values from, the only ones the request's parser keeps; none for a header. */
  readonly cookieNames: readonly string[];
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
   * The non-empty values presented for this session, in request order; `undefined` when there are none;
   * for chunked cookies that cannot make a token, why. `cookies` holds the request's cookies with configured
   * names, parsed once per request.
   */
  read(headers: IncomingHttpHeaders, cookies: CookieJar): readonly string[] | UnreadableChunks | undefined;
  /** Delivers `token`. */
  send(response: ResponseHeaders, token: string, delivery: Delivery): void;
  /**
   * Whether the client already holds exactly `token` here, as the one value `presented` for this session, so
   * that sending it again with the same lifetime would change nothing. Only a plain cookie can tell: a header
   * transport's client keeps whatever the last response told it, and chunks are always sent whole. `secure`:
   * whether this response would mark the cookie `Secure`.
   */
  holds(presented: CookieJar, token: string, secure: boolean): boolean;
  /** Tells the client to drop its token; `presented` holds the request's cookies, as for `read`. */
  expire(response: ResponseHeaders, presented: CookieJar): void;
}

/** What a token is sent with. */
export interface Delivery {
  /** Seconds the client may keep it: the rest of the session's life, a cookie's `Max-Age`. */
  readonly maxAge: number;
  /** Cookies: whether `Max-Age` and `Expires` go out (persistent) or not (browser-session); `undefined`: as sessions.yaml says. */
  readonly persistent: boolean | undefined;
  /** Epoch milliseconds, for `Expires`. */
  readonly now: number;
  /** The request's cookies, as `read` got them: the chunks a client holds that a shorter token no longer needs. */
  readonly presented: CookieJar;
}

/** A chunked session's cookies that cannot make a token (security.md #67): the reason its `rejected` event gives. */
export interface UnreadableChunks {
  readonly reason: 'incomplete' | 'ambiguous' | 'malformed';
}

/** Cookie values by name, for the configured session cookie names only. */
export type CookieJar = ReadonlyMap<string, readonly string[]>;

/**
 * More tokens than this for one session is not a stale path or domain variant but an attack; refused
 * without opening any (each open may cost a MAC, a decryption or a storage read), as is a set of chunks
 * that could be put together in more ways than this (security.md #4, #67).
 */
export const MAX_PRESENTED_TOKENS = 4;

/** Session tokens are base64url: from a transformer, an id, or an unsealed envelope. */
export const TOKEN_ALPHABET = /^[A-Za-z0-9_-]+$/;
