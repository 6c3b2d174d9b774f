/**
 * A storage TTL in whole milliseconds, the unit Redis `PX`/`PEXPIRE` and file expiry stamps use. The
 * runtime always passes at least one second; anything that is not a positive finite number is a caller
 * bug, refused loudly rather than stored as a key that never expires or dies at once (checklist #52).
 *
 * @example
 * ttlMilliseconds(1.5); // 1500
 */
export function ttlMilliseconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`storage TTL must be a positive number of seconds, not ${ttlSeconds}`);
  }
  return Math.ceil(ttlSeconds * 1000);
}
