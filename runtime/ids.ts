import * as crypto from 'node:crypto';

/**
 * Session ids for sessions tracked by id in a storage: 256 random bits from the OS CSPRNG, well past
 * ASVS 5 7.2.3's 128 (and UUIDv4's 122), as fixed-length base64url (security.md #40).
 */

const ID_BYTES = 32;

/** Characters in every session id: 32 bytes as unpadded base64url. */
export const SESSION_ID_LENGTH = 43;

/**
 * 43 characters carry 258 bits for 256: the last character holds 4 data bits and 2 zero bits, so only 16
 * characters can end a canonical id. Anything else is not an id this library issued.
 */
const WELL_FORMED_ID = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * A fresh session id.
 *
 * @example
 * generateSessionId(); // 'q1Zl3x0C...' (43 characters)
 */
export function generateSessionId(): string {
  return crypto.randomBytes(ID_BYTES).toString('base64url');
}

/**
 * Whether `value` could be an id this library issued. Checked before any storage call, so paths, wildcards,
 * prefixes and oversized input never reach a store (security.md #41). The length test comes first: bounded work.
 *
 * @example
 * isWellFormedSessionId('../../etc/passwd'); // false
 */
export function isWellFormedSessionId(value: string): boolean {
  return typeof value === 'string' && value.length === SESSION_ID_LENGTH && WELL_FORMED_ID.test(value);
}

/**
 * SHA-256 of `text` (UTF-8) as base64url. Node's one-shot `crypto.hash` (Node 20.12 and later) costs less
 * than half of a `createHash` object on every request that opens a session by id; older Node 20 releases
 * take the object.
 */
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('base64url');

/**
 * The key a storage files session `session`'s entry under: SHA-256 of the session's name and the id,
 * base64url. Store keys, `SCAN` output, backups and slow logs then hold no usable id (security.md #42, Rack
 * CVE-2019-16782), and an id issued for one session opens nothing when presented as another session on the
 * same storage (security.md #55: a half-authenticated session's id never opens the authenticated one).
 * Session names are lower snake_case and ids base64url, so `:` separates them unambiguously. The id's 256
 * random bits make a keyed hash unnecessary.
 *
 * @example
 * storage.read(storageKeyForId('cart', id));
 */
export function storageKeyForId(session: string, id: string): string {
  return sha256(`${session}:${id}`);
}

/**
 * The key of session `session`'s index (`index:` in the spec, docs/storage.md) for the indexed value `value`
 * (a user id): SHA-256 of the name and the value, base64url, behind a NUL no session name or id holds, so it
 * never equals an entry's key. The value is no secret drawn at random like an id: the hash keeps it out of
 * key listings, but a reader of the store who guesses a user id can tell whether that user has sessions.
 *
 * @example
 * indexKeyFor('user', 'ada'); // 'u2p3...': the same for every session of ada's
 */
export function indexKeyFor(session: string, value: string): string {
  return userKey(session, 'index', value);
}

/**
 * The key of the revocation stamp of `user` for by-value session `session` (`revocation:`, runtime/revocation.ts):
 * hashed like an index key, under another kind, so it equals no entry's or index's key.
 */
export function stampKeyFor(session: string, user: string): string {
  return userKey(session, 'revoked', user);
}

/** SHA-256 of the session's name, what the key is for, and a user's value, base64url, NUL-separated. */
function userKey(session: string, kind: 'index' | 'revoked', value: string): string {
  return sha256(`${session}\u0000${kind}\u0000${value}`);
}

/** How a session tracked by id names its entries: this library's ids, or Ktor's (runtime/ktor/format.ts). */
export interface SessionIdScheme {
  generate(): string;
  /** Checked before any storage call (security.md #41). */
  isWellFormed(id: string): boolean;
  /** The key the storage files the entry of `id` under, for the session named `session`. */
  storageKey(session: string, id: string): string;
}
