import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { KeyRing } from '../keys/key-ring.js';
import { freshRandomBytes } from '../random-pool.js';
import { createTokenTransformer, type SealAlgorithm } from './token.js';
import type { Transformer } from './transformer.js';

/** 96 bits, the nonce size GCM is defined for without hashing (NIST SP 800-38D, 8.2). */
const NONCE_BYTES = 12;
/** Full-length tag; stated to node explicitly so a shorter tag is never accepted. */
const TAG_BYTES = 16;

/** Body: nonce | AES-256-GCM ciphertext | tag, with the associated data as GCM AAD. */
const aes256Gcm: SealAlgorithm = {
  purpose: 'encrypt',
  overhead: NONCE_BYTES + TAG_BYTES,
  seal(key, associatedData, plaintext) {
    // A fresh random nonce every time, with no way for a caller to pass one (security.md #25, Ktor's fixed IV).
    const nonce = freshRandomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES }).setAAD(associatedData);
    return [nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()];
  },
  open(key, associatedData, body) {
    const nonce = body.subarray(0, NONCE_BYTES);
    const ciphertext = body.subarray(NONCE_BYTES, body.length - TAG_BYTES);
    const tag = body.subarray(body.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
        .setAAD(associatedData)
        .setAuthTag(tag);
      // update() output is unauthenticated until final() has checked the tag; final() throws on any mismatch.
      const plaintext = decipher.update(ciphertext);
      return Buffer.concat([plaintext, decipher.final()]);
    } catch {
      return undefined;
    }
  },
};

/**
 * The `encrypt` transform: confidential and tamper-proof tokens, under the ring's encryption subkeys.
 *
 * @example
 * const sealed = createEncryptTransformer(parseKeyRing('main', process.env.SESSION_KEYS ?? '', 'env'), 'user');
 * sealed.unseal(sealed.seal('{"userId":"u1"}')); // { ok: true, text: '{"userId":"u1"}', stale: false }
 */
export function createEncryptTransformer(ring: KeyRing, sessionName: string): Transformer {
  return createTokenTransformer(ring, sessionName, aes256Gcm);
}
