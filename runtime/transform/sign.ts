import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../keys/key-ring.js';
import { createTokenTransformer, type SealAlgorithm } from './token.js';
import type { Transformer } from './transformer.js';

/** HMAC-SHA256 output, never truncated. */
const MAC_BYTES = 32;

/** Body: payload | HMAC-SHA256(signing subkey, associated data | payload). The payload is readable, not secret. */
const hmacSha256: SealAlgorithm = {
  purpose: 'sign',
  overhead: MAC_BYTES,
  seal(key, associatedData, plaintext) {
    return [plaintext, mac(key, associatedData, plaintext)];
  },
  open(key, associatedData, body) {
    const payload = body.subarray(0, body.length - MAC_BYTES);
    const received = body.subarray(body.length - MAC_BYTES);
    const expected = mac(key, associatedData, payload);
    // One constant-time comparison of two full-length digests, with no early exit (security.md #14, #15).
    // timingSafeEqual throws on unequal lengths; the frame layout makes them equal, and this keeps it so.
    return received.length === expected.length && timingSafeEqual(received, expected) ? payload : undefined;
  },
};

function mac(key: Buffer, associatedData: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(associatedData).update(payload).digest();
}

/**
 * The `sign` transform: tamper-evident but readable tokens, under the ring's signing subkeys.
 *
 * @example
 * const signed = createSignTransformer(parseKeyRing('main', process.env.SESSION_KEYS ?? '', 'env'), 'user');
 * signed.unseal(signed.seal('{"userId":"u1"}')); // { ok: true, text: '{"userId":"u1"}', stale: false }
 */
export function createSignTransformer(ring: KeyRing, sessionName: string): Transformer {
  return createTokenTransformer(ring, sessionName, hmacSha256);
}
