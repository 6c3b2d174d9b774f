import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../keys/key-ring.js';
import type { Transformer, Unsealed } from '../transform/transformer.js';

/** `HmacSHA256`, Ktor's default since 1.1.2; `HmacSHA1` for services on Ktor 1.1.1 or older. */
export type KtorSignAlgorithm = 'sha256' | 'sha1';

/** What Ktor writes, and so the only MAC that can match: lower-case hex of the digest. */
const MAC_HEX: Readonly<Record<KtorSignAlgorithm, RegExp>> = { sha256: /^[0-9a-f]{64}$/, sha1: /^[0-9a-f]{40}$/ };

const MALFORMED: Unsealed = { ok: false, reason: 'malformed' };
const TAMPERED: Unsealed = { ok: false, reason: 'tampered' };

/**
 * `transform: [{ ktor-sign: RING }]`: Ktor's `SessionTransportTransformerMessageAuthentication` (wire doc
 * section 2.4), byte for byte: `value + "/" + lowerhex(HMAC(key, UTF-8(value)))`, the key used raw.
 *
 * Reading splits at the last `/` and accepts only the lower-case hex MAC, as Ktor does, but always through one
 * constant-time comparison of two equal-length buffers (security.md #14, #15), for every key of the ring; a key
 * other than the newest marks the value stale, so it is re-signed with the newest. Unlike this library's own
 * `sign`, Ktor's MAC does not bind the cookie name: a value signed for one Ktor session under the same key is
 * accepted by another.
 *
 * @example
 * const signer = createKtorSignTransformer(parseRawKeyRing('ktor', '003515606058610610561058', 'env KTOR_KEY'), 'sha256');
 * signer.seal('{"userId":"id 2","cart":[]}'); // '{"userId":"id 2","cart":[]}/0adc94dc...ab16'
 */
export function createKtorSignTransformer(ring: KeyRing, algorithm: KtorSignAlgorithm): Transformer {
  const keys = ring.keys.map(({ secret }) => secret);
  const newest = keys[0];
  if (newest === undefined) throw new TypeError(`key ring "${ring.name}" has no keys`);
  const mac = (key: Buffer, value: string): string => createHmac(algorithm, key).update(value, 'utf8').digest('hex');
  const macShape = MAC_HEX[algorithm];

  return {
    seal: (text) => `${text}/${mac(newest, text)}`,
    unseal(token) {
      const slash = token.lastIndexOf('/');
      if (slash === -1) return MALFORMED;
      const signature = token.slice(slash + 1);
      // Only Ktor's MAC shape can ever match: anything else costs no MAC at all (security.md #56).
      if (!macShape.test(signature)) return MALFORMED;
      const value = token.slice(0, slash);
      const received = Buffer.from(signature, 'latin1');
      let match = -1;
      keys.forEach((key, index) => {
        const expected = Buffer.from(mac(key, value), 'latin1');
        // Every key is tried, so the time taken does not say which one matched.
        if (received.length === expected.length && timingSafeEqual(received, expected) && match === -1) match = index;
      });
      return match === -1 ? TAMPERED : { ok: true, text: value, stale: match > 0 };
    },
  };
}
