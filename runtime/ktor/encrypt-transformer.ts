import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SessionConfigError } from '../errors.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { Transformer, Unsealed } from '../transform/transformer.js';

/** AES-CBC's block, and the IV length this transformer writes and reads. */
const BLOCK_BYTES = 16;
/** AES key sizes Ktor accepts (`SecretKeySpec(bytes, "AES")`). */
const AES_KEY_BYTES: ReadonlySet<number> = new Set([16, 24, 32]);

const MALFORMED: Unsealed = { ok: false, reason: 'malformed' };
const TAMPERED: Unsealed = { ok: false, reason: 'tampered' };

export interface KtorEncryptOptions {
  /**
   * Also read Ktor 1.x/2.x tokens, whose MAC covers the plaintext instead of the ciphertext. They can only be
   * checked after decrypting, so this is off unless the spec turns it on; such a token is re-sealed in the
   * 3.x format in the same response.
   */
  readonly legacyMac: boolean;
}

/** Where IVs come from: 16 fresh random bytes each time. Tests pass a fixed one to reproduce Ktor's vectors. */
export type IvSource = () => Buffer;

const randomIv: IvSource = () => randomBytes(BLOCK_BYTES);

interface KeyPair {
  readonly cipher: string;
  readonly encryptKey: Buffer;
  readonly signKey: Buffer;
}

/**
 * `transform: [{ ktor-encrypt: { encrypt: RING, sign: RING } }]`: Ktor's `SessionTransportTransformerEncrypt`
 * in its 3.x format (wire doc section 2.5), byte for byte:
 *
 *   lowerhex(IV) "/" lowerhex(AES-CBC-PKCS7(encryptKey, IV, UTF-8(value))) ":" lowerhex(HMAC-SHA256(signKey, ciphertext))
 *
 * Keys are raw bytes (16, 24 or 32 for AES); the rings pair up by position (newest with newest). The IV is
 * always 16 random bytes (what Ktor after 3.5.2 writes; earlier versions made it as long as the key, which only
 * worked for 16-byte keys).
 *
 * Security: this format's MAC does not cover the IV, so whoever holds a token can flip bits of the first 16
 * plaintext bytes by flipping IV bits, and the token still verifies (wire doc, "Security note"). Reading it is
 * for interoperating with a Ktor service; this library's own `encrypt` (AES-256-GCM over everything) never
 * shares the weakness. The MAC is checked before any decryption, in constant time (security.md #14, #15).
 *
 * `nextIv` is an internal test seam (not exported from the runtime's entry): there is no public way to choose
 * an IV (security.md #25).
 *
 * @example
 * const sealer = createKtorEncryptTransformer(encryptRing, signRing, { legacyMac: false });
 * sealer.unseal(sealer.seal('{"userId":"id2","cart":[]}')); // { ok: true, text: '{"userId":"id2","cart":[]}', stale: false }
 */
export function createKtorEncryptTransformer(
  encryptRing: KeyRing,
  signRing: KeyRing,
  options: KtorEncryptOptions,
  nextIv: IvSource = randomIv,
): Transformer {
  const pairs = pairKeys(encryptRing, signRing);
  const newest = pairs[0]!;

  return {
    seal(text) {
      const iv = nextIv();
      const cipher = createCipheriv(newest.cipher, newest.encryptKey, iv);
      const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return `${iv.toString('hex')}/${ciphertext.toString('hex')}:${mac(newest.signKey, ciphertext).toString('hex')}`;
    },
    unseal(token) {
      const parts = splitToken(token);
      if (parts === undefined) return MALFORMED;
      const { iv, ciphertext, tag } = parts;
      for (let index = 0; index < pairs.length; index += 1) {
        const pair = pairs[index]!;
        if (sameTag(mac(pair.signKey, ciphertext), tag)) {
          const plaintext = decrypt(pair, iv, ciphertext);
          return plaintext === undefined ? TAMPERED : { ok: true, text: plaintext.toString('utf8'), stale: index > 0 };
        }
      }
      if (!options.legacyMac) return TAMPERED;
      // Ktor 1.x/2.x: MAC over the plaintext, so decrypt first; refreshed into the 3.x format as stale.
      for (const pair of pairs) {
        const plaintext = decrypt(pair, iv, ciphertext);
        if (sameTag(mac(pair.signKey, plaintext ?? ciphertext), tag) && plaintext !== undefined) {
          return { ok: true, text: plaintext.toString('utf8'), stale: true };
        }
      }
      return TAMPERED;
    },
  };
}

function pairKeys(encryptRing: KeyRing, signRing: KeyRing): KeyPair[] {
  if (encryptRing.keys.length === 0 || encryptRing.keys.length !== signRing.keys.length) {
    throw new SessionConfigError(
      `ktor-encrypt pairs key ring "${encryptRing.name}" (${encryptRing.source}, ${encryptRing.keys.length} keys) with "${signRing.name}" (${signRing.source}, ${signRing.keys.length} keys) by position; give both the same number of keys, newest first`,
    );
  }
  return encryptRing.keys.map(({ secret }, index) => {
    if (!AES_KEY_BYTES.has(secret.length)) {
      throw new SessionConfigError(
        `key ring "${encryptRing.name}" (${encryptRing.source}): key ${index + 1} is ${secret.length} bytes; AES needs 16, 24 or 32 (the Ktor service's encryption key, as hex)`,
      );
    }
    return { cipher: `aes-${secret.length * 8}-cbc`, encryptKey: secret, signKey: signRing.keys[index]!.secret };
  });
}

function mac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * The received tag as Ktor compares it: its lower-case hex text against the computed one (upper-case hex is
 * refused, as by Ktor's `String ==`), here in constant time over equal lengths.
 */
function sameTag(computed: Buffer, received: string): boolean {
  const expected = Buffer.from(computed.toString('hex'), 'latin1');
  const given = Buffer.from(received, 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Ktor's only tag shape: HMAC-SHA256 as lower-case hex. */
const TAG_HEX = /^[0-9a-f]{64}$/;

/**
 * Ktor splits at the last `/` (IV | rest), then at the last `:` of the rest (ciphertext | tag). Every part's
 * shape is checked before any MAC is computed, so a malformed token costs a pass over it and nothing more
 * (security.md #56). A tag other than 64 lower-case hex digits never matches Ktor's `String ==`, with or
 * without `legacyMac`, so it is refused here.
 */
function splitToken(token: string): { iv: Buffer; ciphertext: Buffer; tag: string } | undefined {
  const slash = token.lastIndexOf('/');
  const colon = token.lastIndexOf(':');
  if (slash !== 2 * BLOCK_BYTES || colon < slash) return undefined;
  const tag = token.slice(colon + 1);
  if (!TAG_HEX.test(tag)) return undefined;
  const iv = hexBytes(token.slice(0, slash));
  const ciphertext = hexBytes(token.slice(slash + 1, colon));
  if (iv === undefined || ciphertext === undefined || ciphertext.length === 0 || ciphertext.length % BLOCK_BYTES !== 0) return undefined;
  return { iv, ciphertext, tag };
}

/** Kotlin's `hexToByteArray`: either case, even length, nothing else. */
function hexBytes(text: string): Buffer | undefined {
  return /^(?:[0-9A-Fa-f]{2})*$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

function decrypt(pair: KeyPair, iv: Buffer, ciphertext: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv(pair.cipher, pair.encryptKey, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}
