import { randomBytes } from 'node:crypto';
import { MIN_KEY_BYTES } from './keys/key-strength.js';

/**
 * A fresh key for a key ring, in the format rings accept: 32 random bytes as base64url (43 characters).
 * `typed-sessions keygen` prints one.
 *
 * @example
 * process.env.SESSION_KEYS = `${generateKey()},${process.env.SESSION_KEYS}`; // rotate: newest first
 */
export function generateKey(): string {
  return randomBytes(MIN_KEY_BYTES).toString('base64url');
}
