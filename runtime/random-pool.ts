import { randomBytes } from 'node:crypto';

/**
 * Bytes of the CSPRNG drawn at once. A `randomBytes` call per AES-GCM nonce or Redis entry version cost as
 * much as the AES-GCM operation itself; Node's `randomUUID()` pools its randomness the same way.
 */
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `size` bytes from the CSPRNG, cut from a pool: each byte is handed out once, and a used-up pool is
 * replaced, never refilled in place, so a slice handed out earlier never changes. Read-only for the caller.
 *
 * @example
 * const nonce = freshRandomBytes(12);
 */
export function freshRandomBytes(size: number): Buffer {
  if (offset + size > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, size));
    offset = 0;
  }
  offset += size;
  return pool.subarray(offset - size, offset);
}
