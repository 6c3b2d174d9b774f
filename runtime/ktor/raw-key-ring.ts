import { parseKeys, type KeyEncoding, type KeyRing } from '../keys/key-ring.js';
import { EMPTY_KEY, type KeyCheck } from '../keys/key-strength.js';

const HEX_KEY = /^(?:[0-9A-Fa-f]{2})+$/;

const KTOR_KEY_BYTES = 'the Ktor service\'s key bytes as hex, as in hex("...") in its install(Sessions) block';

const RANDOM_KEY =
  'give the Ktor service and this ring a key of random bytes (32 for HMAC; 16, 24 or 32 for AES), e.g. from openssl rand -hex 32';

/** What Ktor's documentation recommends for `HmacSHA256` ("it is recommended a key of 32 bytes"). */
const RECOMMENDED_HMAC_KEY_BYTES = 32;

/**
 * A key ring declared `encoding: hex`: the raw key bytes a Ktor service uses (`hex("0011...")` in its
 * `install(Sessions)`), comma-separated, newest first. Ktor keys are used as they are, with no derivation, so
 * this ring only serves `ktor-sign` and `ktor-encrypt`; the sizes are checked by the transform that uses it
 * (16, 24 or 32 bytes for AES). An empty key, or one byte value repeated (all zero, all 0xff, a single byte),
 * is refused whatever it serves (security.md #61). Throws `SessionConfigError` naming `source`; messages
 * never repeat a key, nor a byte of one.
 *
 * @example
 * parseRawKeyRing('ktor_sign', '02030405060708090a0b0c', 'environment variable KTOR_SIGN_KEY');
 */
export function parseRawKeyRing(name: string, value: string | readonly string[], source: string): KeyRing {
  return parseKeys(name, value, source, RAW_HEX_KEYS);
}

/** Ktor's keys as hex. Ktor's tokens name no key, so two keys may share a derived id. */
const RAW_HEX_KEYS: KeyEncoding = {
  notAList: 'a string of comma-separated hex keys or an array of them',
  empty: `; set it to ${KTOR_KEY_BYTES}`,
  check: checkRawKey,
};

function checkRawKey(entry: string): KeyCheck {
  if (entry === '') return { ok: false, problem: EMPTY_KEY };
  if (!HEX_KEY.test(entry)) return { ok: false, problem: `is not hex (an even number of 0-9 and a-f); it holds ${KTOR_KEY_BYTES}` };
  const secret = Buffer.from(entry, 'hex');
  if (new Set(secret).size === 1) {
    const pattern = secret.length === 1 ? 'a single byte' : `one byte value repeated ${secret.length} times`;
    return { ok: false, problem: `is ${pattern}, so it is no secret; ${RANDOM_KEY}` };
  }
  return { ok: true, secret };
}

/**
 * The warning for a ring whose keys serve as Ktor HMAC keys when some are shorter than Ktor recommends, or
 * `undefined`. Accepted rather than refused: Ktor's own examples and tests use 11 to 14-byte keys, and the
 * key is the Ktor service's to change (security.md #61). Never repeats a key.
 *
 * @example
 * shortHmacKeyWarning(parseRawKeyRing('ktor_sign', '02030405060708090a0b0c', 'environment variable KTOR_SIGN_KEY'));
 * // 'key ring "ktor_sign" (environment variable KTOR_SIGN_KEY): key 1 of 1 is 11 bytes, under the 32 random bytes ...'
 */
export function shortHmacKeyWarning(ring: KeyRing): string | undefined {
  const short = ring.keys.flatMap(({ secret }, index) =>
    secret.length < RECOMMENDED_HMAC_KEY_BYTES ? [`key ${index + 1} of ${ring.keys.length} is ${secret.length} bytes`] : [],
  );
  if (short.length === 0) return undefined;
  return `key ring "${ring.name}" (${ring.source}): ${short.join(', ')}, under the ${RECOMMENDED_HMAC_KEY_BYTES} random bytes Ktor's documentation recommends for HmacSHA256 (its examples use shorter keys: one copied from them lets anyone forge the cookie). Accepted, since the Ktor service signs with it; give both sides a new key of ${RECOMMENDED_HMAC_KEY_BYTES} random bytes (openssl rand -hex 32) when you can`;
}
