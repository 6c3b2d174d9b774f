import { SessionConfigError, SessionTooLargeError } from '../errors.js';
import { KEY_ID_BYTES, deriveSubkey, type KeyPurpose } from '../keys/key-derivation.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { Transformer, Unsealed } from './transformer.js';
import { VERIFIED_TOKENS_BUDGET, VerifiedTokens, type OpenedToken } from './verified-tokens.js';

/**
 * The token frame both `sign` and `encrypt` use (layout in docs/security.md):
 *
 *   token = base64url( version:1 | keyId:4 | body )
 *
 * The header picks the key; the body is the algorithm's (payload and MAC, or nonce, ciphertext and tag).
 * Everything a request needs besides one MAC or one AES-GCM operation is computed here once, when the
 * transformer is made: subkeys, headers and associated data. A token verified or sealed lately opens
 * without either (runtime/transform/verified-tokens.ts).
 */

/** The only accepted frame version; any other is refused before any crypto (security.md #20). */
const TOKEN_VERSION = 1;
const HEADER_BYTES = 1 + KEY_ID_BYTES;

/**
 * Longest token accepted or issued, in characters. Node's default limit for all request headers together is
 * 16 KiB, so a longer token cannot arrive; refusing it before decoding keeps bad input O(1) (security.md #3).
 */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** The part of the format that differs between `sign` and `encrypt`. */
export interface SealAlgorithm {
  readonly purpose: KeyPurpose;
  /** Bytes the body adds to the plaintext (MAC, or nonce and tag). */
  readonly overhead: number;
  /** The frame body for `plaintext`, in order. */
  seal(key: Buffer, associatedData: Buffer, plaintext: Buffer): readonly Buffer[];
  /** The plaintext of a body at least `overhead` bytes long, or `undefined` when it fails authentication. Never throws. */
  open(key: Buffer, associatedData: Buffer, body: Buffer): Buffer | undefined;
}

interface TokenKey {
  readonly subkey: Buffer;
  readonly header: Buffer;
  /** Bound context then this key's header: authenticated, never sent (security.md #21). */
  readonly associatedData: Buffer;
  /** Not the newest key of the ring: the token should be re-sealed (security.md #16). */
  readonly stale: boolean;
}

const MALFORMED: Unsealed = { ok: false, reason: 'malformed' };
const UNKNOWN_KEY: Unsealed = { ok: false, reason: 'unknown_key' };
const TAMPERED: Unsealed = { ok: false, reason: 'tampered' };

/**
 * A transformer sealing with the newest key of `ring` and opening tokens of any of its keys.
 *
 * @example
 * export function createSignTransformer(ring: KeyRing, sessionName: string): Transformer {
 *   return createTokenTransformer(ring, sessionName, hmacSha256);
 * }
 */
export function createTokenTransformer(ring: KeyRing, sessionName: string, algorithm: SealAlgorithm): Transformer {
  const keys = deriveTokenKeys(ring, boundContext(algorithm.purpose, sessionName), algorithm.purpose);
  const newest = keys.get(ring.keys[0]?.id ?? '');
  if (newest === undefined) {
    throw new SessionConfigError(`key ring "${ring.name}" (${ring.source}) has no keys`);
  }
  const minFrameBytes = HEADER_BYTES + algorithm.overhead;
  const verified = new VerifiedTokens(VERIFIED_TOKENS_BUDGET);

  return {
    seal(text) {
      const body = algorithm.seal(newest.subkey, newest.associatedData, Buffer.from(text, 'utf8'));
      const token = Buffer.concat([newest.header, ...body]).toString('base64url');
      if (token.length > MAX_TOKEN_LENGTH) {
        throw new SessionTooLargeError(sessionName, token.length, MAX_TOKEN_LENGTH);
      }
      // The client presents it with its next request. Text with a lone surrogate would open as U+FFFD, not as itself.
      if (isWellFormed(text)) verified.remember(token, { ok: true, text, stale: false });
      return token;
    },
    unseal(token) {
      if (token.length > MAX_TOKEN_LENGTH) {
        return MALFORMED;
      }
      const known = verified.get(token);
      if (known !== undefined) {
        return known;
      }
      // Strict base64url: `Buffer.from` skips characters outside the alphabet, accepts `+/=` and ignores stray
      // trailing bits, so the token must also be the canonical encoding of its bytes. Otherwise several strings
      // would open to one frame, and a changed character could go unnoticed.
      const frame = Buffer.from(token, 'base64url');
      const canonical = frame.toString('base64url');
      if (canonical !== token || frame.length < minFrameBytes || frame[0] !== TOKEN_VERSION) {
        return MALFORMED;
      }
      // A Map, so no id reaches Object.prototype (security.md #19).
      const key = keys.get(frame.toString('hex', 1, HEADER_BYTES));
      if (key === undefined) {
        return UNKNOWN_KEY;
      }
      const plaintext = algorithm.open(key.subkey, key.associatedData, frame.subarray(HEADER_BYTES));
      if (plaintext === undefined) {
        return TAMPERED;
      }
      const opened: OpenedToken = { ok: true, text: plaintext.toString('utf8'), stale: key.stale };
      // Under the flat copy: `token` may be a slice of the whole Cookie header, which a key would keep alive.
      verified.remember(canonical, opened);
      return opened;
    },
  };
}

/** `String.prototype.isWellFormed` (Node 20; not in the ES2022 library the runtime compiles against). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * What a token is for, bound into every MAC and AAD: a token of session `a` or of another purpose never
 * opens as session `b` (security.md #21; securecookie's name binding, Rails' `purpose`). Each field is
 * prefixed with its byte length (4 bytes, big-endian) so no two (purpose, name) pairs share an encoding.
 */
function boundContext(purpose: KeyPurpose, sessionName: string): Buffer {
  return Buffer.concat(
    [purpose, sessionName].flatMap((field) => {
      const bytes = Buffer.from(field, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

function deriveTokenKeys(ring: KeyRing, context: Buffer, purpose: KeyPurpose): ReadonlyMap<string, TokenKey> {
  const keys = new Map<string, TokenKey>();
  ring.keys.forEach(({ id, secret }, index) => {
    const idBytes = Buffer.from(id, 'hex');
    // The id must be exactly what unseal() looks up: KEY_ID_BYTES as lower-case hex, once per ring.
    if (idBytes.length !== KEY_ID_BYTES || idBytes.toString('hex') !== id || keys.has(id)) {
      throw new SessionConfigError(
        `key ring "${ring.name}" (${ring.source}): key ${index + 1} has a malformed or repeated id; build rings with parseKeyRing()`,
      );
    }
    const header = Buffer.concat([Buffer.of(TOKEN_VERSION), idBytes]);
    keys.set(id, {
      subkey: deriveSubkey(secret, purpose),
      header,
      associatedData: Buffer.concat([context, header]),
      stale: index > 0,
    });
  });
  return keys;
}
