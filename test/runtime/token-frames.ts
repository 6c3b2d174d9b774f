/**
 * Test-side view of a token: its decoded frame, and edits an attacker could make to it. Deliberately
 * independent of runtime/transform/token.ts, so the tests do not share the code they check.
 */

export function frameOf(token: string): Buffer {
  return Buffer.from(token, 'base64url');
}

export function tokenOf(frame: Uint8Array): string {
  return Buffer.from(frame).toString('base64url');
}

/** The token with bit `bit` (0 = most significant bit of byte 0) of its frame inverted. */
export function flipBit(token: string, bit: number): string {
  const frame = frameOf(token);
  frame[bit >> 3]! ^= 0x80 >> (bit & 7);
  return tokenOf(frame);
}

export const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
