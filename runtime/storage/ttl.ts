/**
 * A storage TTL in whole milliseconds, the unit Redis `PX`/`PEXPIRE` and file expiry stamps use. The
 * runtime always passes at least one second; anything that is not a positive finite number is a caller
 * bug, refused loudly rather than stored as a key that never expires or dies at once (security.md #52).
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

/**
 * A sliding read's `touchAfterSeconds` in whole milliseconds: how much later the slide must move the expiry
 * for the read to write it. Absent is 0: every slide that moves the expiry later is written.
 *
 * @example
 * touchAfterMilliseconds(60); // 60000
 */
export function touchAfterMilliseconds(touchAfterSeconds: number | undefined): number {
  if (touchAfterSeconds === undefined) return 0;
  if (!Number.isFinite(touchAfterSeconds) || touchAfterSeconds < 0) {
    throw new RangeError(`touchAfter must be 0 or a positive number of seconds, not ${touchAfterSeconds}`);
  }
  return Math.ceil(touchAfterSeconds * 1000);
}

/** What a write gives an entry, in milliseconds from now. */
export interface EntryLifetime {
  /** Until expiry, unless slid; never past `maxMs`. */
  readonly ttlMs: number;
  /** Until the deadline no slide passes; `undefined` when there is none. */
  readonly maxMs: number | undefined;
}

/**
 * The lifetime of a written entry: `ttlSeconds`, cut to `maxSeconds` when that comes first, so a key
 * never starts out living past its deadline (security.md #52).
 *
 * @example
 * entryLifetime(1800, 600); // { ttlMs: 600000, maxMs: 600000 }
 */
export function entryLifetime(ttlSeconds: number, maxSeconds: number | undefined): EntryLifetime {
  const ttlMs = ttlMilliseconds(ttlSeconds);
  if (maxSeconds === undefined) return { ttlMs, maxMs: undefined };
  const maxMs = ttlMilliseconds(maxSeconds);
  return { ttlMs: Math.min(ttlMs, maxMs), maxMs };
}
