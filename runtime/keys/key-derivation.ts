import { hkdfSync } from 'node:crypto';

/**
 * HKDF-SHA256 (RFC 5869) from each ring secret to one subkey per use, so a secret is never used directly
 * and signing and encryption never share key material (security.md #26). The `info` strings are part of the
 * token format (docs/security.md): changing one invalidates every token in circulation.
 */

/** What a subkey is for; also bound into every token's associated data. */
export type KeyPurpose = 'sign' | 'encrypt';

/** Bytes of the key id carried in every token header. */
export const KEY_ID_BYTES = 4;

const SUBKEY_INFO: Readonly<Record<KeyPurpose, string>> = {
  sign: 'typed-sessions v1 sign',
  encrypt: 'typed-sessions v1 encrypt',
};
const KEY_ID_INFO = 'typed-sessions key id';
/** RFC 5869 section 3.1: the salt is optional when the input key material is already uniformly random. */
const NO_SALT = Buffer.alloc(0);

function hkdf(secret: Buffer, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, NO_SALT, info, length));
}

/**
 * The public id of a secret: stable wherever the key sits in the ring, and reveals nothing about it.
 *
 * @example
 * deriveKeyId(secret); // '9f3a01c2'
 */
export function deriveKeyId(secret: Buffer): string {
  return hkdf(secret, KEY_ID_INFO, KEY_ID_BYTES).toString('hex');
}

/**
 * The 256-bit subkey of `secret` for one purpose. A Buffer rather than a KeyObject: node's HMAC and
 * AES-GCM set-up measured faster with raw key bytes.
 *
 * @example
 * const macKey = deriveSubkey(secret, 'sign');
 */
export function deriveSubkey(secret: Buffer, purpose: KeyPurpose): Buffer {
  return hkdf(secret, SUBKEY_INFO[purpose], 32);
}
