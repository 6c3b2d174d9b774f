import type { IncomingHttpHeaders } from 'node:http';
import type { CookieSettings } from '../definition.js';
import { CookieTransport, checkCookieSettings } from './cookie.js';
import { MAX_COOKIE_CHUNKS, chunkCookieNames } from './cookie-rules.js';
import { MAX_SET_COOKIE_BYTES } from './set-cookie.js';
import type { ResponseHeaders } from './response-headers.js';
import { MAX_PRESENTED_TOKENS, type CookieJar, type Delivery, type Transport, type UnreadableChunks } from './transport.js';

/** `3.`: the count of chunks, one digit, then a dot, at the start of chunk 0. */
const COUNT_LENGTH = 2;

const INCOMPLETE: UnreadableChunks = { reason: 'incomplete' };
const AMBIGUOUS: UnreadableChunks = { reason: 'ambiguous' };
const MALFORMED: UnreadableChunks = { reason: 'malformed' };

/**
 * A token too large for one cookie, split over `NAME.0`, `NAME.1`, ... (`cookie.chunked: true`; ASP.NET's
 * ChunkingCookieManager, Auth.js), each chunk a cookie of its own with the session's attributes. Chunk 0
 * starts with the number of chunks (`2.`), so a request that lacks one is refused before any MAC, and
 * chunks past the count (left by a longer token) are ignored on read and expired by the next write. The
 * token itself is sealed as a whole, so chunks swapped, reordered or cut fail its MAC or AEAD tag
 * (security.md #67).
 *
 * @example
 * const transport = new ChunkedCookieTransport('profile', 'profile', settings);
 * transport.cookieNames; // ['profile.0', 'profile.1', 'profile.2']
 */
export class ChunkedCookieTransport implements Transport {
  readonly kind = 'cookie';
  readonly vary = 'Cookie';
  readonly cookieNames: readonly string[];
  /** Every chunk full, less the count. */
  readonly maxTokenLength: number;
  readonly outgoingLimit = MAX_COOKIE_CHUNKS * MAX_SET_COOKIE_BYTES;
  /** One cookie per chunk, in order. */
  readonly #chunks: readonly CookieTransport[];
  /** The longest value each chunk's `Set-Cookie` line holds within 4096 bytes, its name and attributes counted. */
  readonly #chunkLength: number;

  /** Throws `SessionConfigError` for settings a browser would drop or that lose their guarantees. */
  constructor(
    readonly session: string,
    readonly name: string,
    settings: CookieSettings,
  ) {
    // Under the name as written, so an error names the cookie the spec declares rather than a chunk of it.
    checkCookieSettings(session, name, settings);
    this.cookieNames = chunkCookieNames(name);
    this.#chunks = this.cookieNames.map((chunkName) => new CookieTransport(session, chunkName, settings));
    // Chunk names differ only in their last digit, so every chunk holds as much.
    this.#chunkLength = this.#chunks[0]!.maxTokenLength;
    this.maxTokenLength = MAX_COOKIE_CHUNKS * this.#chunkLength - COUNT_LENGTH;
  }

  /**
   * The tokens chunk 0 and the chunks it counts make, joined in order. A chunk that came more than once
   * (a stale path or domain variant, a cookie tossed from a sibling domain) gives one token per way of
   * joining them, for the pipeline to keep the one that verifies, as for a repeated plain cookie
   * (security.md #4); more ways than `MAX_PRESENTED_TOKENS` is `ambiguous`, counted before any is joined.
   */
  read(_headers: IncomingHttpHeaders, cookies: CookieJar): readonly string[] | UnreadableChunks | undefined {
    const [firsts, ...rest] = this.cookieNames.map((chunkName) => cookies.get(chunkName));
    if (firsts === undefined) return rest.some((values) => values !== undefined) ? INCOMPLETE : undefined;
    if (firsts.length > MAX_PRESENTED_TOKENS) return AMBIGUOUS;
    const tokens: string[] = [];
    let counted = false;
    for (const first of firsts) {
      const count = chunkCount(first);
      if (count === undefined) continue;
      counted = true;
      let joined = [first.slice(COUNT_LENGTH)];
      for (const values of rest.slice(0, count - 1)) {
        if (values === undefined) {
          joined = [];
          break;
        }
        if (tokens.length + joined.length * values.length > MAX_PRESENTED_TOKENS) return AMBIGUOUS;
        joined = joined.flatMap((head) => values.map((part) => head + part));
      }
      tokens.push(...joined);
    }
    if (tokens.length > 0) return tokens;
    return counted ? INCOMPLETE : MALFORMED;
  }

  /** As many chunks as the token needs, each within 4096 bytes; chunks the client holds past them are expired. */
  holds(): boolean {
    return false;
  }

  send(response: ResponseHeaders, token: string, delivery: Delivery): void {
    const count = Math.ceil((token.length + COUNT_LENGTH) / this.#chunkLength);
    const framed = `${count}.${token}`;
    this.#chunks.forEach((chunk, index) => {
      if (index < count) chunk.send(response, framed.slice(index * this.#chunkLength, (index + 1) * this.#chunkLength), delivery);
      else if (delivery.presented.has(chunk.name)) chunk.expire(response);
    });
  }

  /** Chunk 0 always, so a clear is visible on the wire, and every other chunk the client sent. */
  expire(response: ResponseHeaders, presented: CookieJar): void {
    this.#chunks.forEach((chunk, index) => {
      if (index === 0 || presented.has(chunk.name)) chunk.expire(response);
    });
  }
}

/** The count chunk 0 starts with, or `undefined` when it has none in range. */
function chunkCount(first: string): number | undefined {
  const count = first.charCodeAt(0) - 0x30;
  return first.charCodeAt(1) === 0x2e && count >= 1 && count <= MAX_COOKIE_CHUNKS ? count : undefined;
}
