import { randomBytes } from 'node:crypto';

/**
 * Session ids of Ktor-format sessions tracked by id: lower-case hex, as Ktor's `generateSessionId()` writes
 * them (16, 32 or 64 characters by version). New ids are 32 random bytes (64 characters, 256 bits).
 */

const KTOR_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32}|[0-9a-f]{64})$/;

/** @example generateKtorSessionId(); // '9f86d081884c7d65...' (64 characters) */
export function generateKtorSessionId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Whether `value` is an id a Ktor service could have issued; checked before any storage call (security.md #41).
 *
 * @example
 * isKtorSessionId('../../etc/passwd'); // false
 */
export function isKtorSessionId(value: string): boolean {
  return value.length <= 64 && KTOR_ID.test(value);
}
