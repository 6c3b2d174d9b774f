import type { ExpiryDefinition } from './definition.js';
import type { Envelope } from './envelope.js';

/**
 * Session lifetimes, all in whole seconds: the absolute `maxAge` counted from creation and never
 * extended (security.md #39), the sliding `idle` timeout counted from the last write or refresh (#38), and
 * what both mean for cookie attributes and storage TTLs.
 */

/**
 * Tolerated clock difference between the machines that seal and open a token. A timestamp further in
 * the future than this was not written by a well-behaved server of this app (security.md #22).
 */
export const CLOCK_SKEW_SECONDS = 60;

/** RFC 6265bis section 5.5: browsers cap Max-Age and Expires at 400 days. */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

/**
 * Whether a session stamped with `envelope` is dead at `now`. `checkIdle` is off for sessions tracked by
 * id, whose idle timeout is the storage TTL that every read slides (`Storage.read` with `slideSeconds`).
 *
 * @example
 * isExpired({ createdAt: 0, lastSeenAt: 0, payload: '' }, { maxAge: 3600, rolling: false }, 3600, true); // true
 */
export function isExpired(envelope: Envelope, expiry: ExpiryDefinition, now: number, checkIdle: boolean): boolean {
  if (envelope.createdAt > now + CLOCK_SKEW_SECONDS || envelope.lastSeenAt > now + CLOCK_SKEW_SECONDS) return true;
  if (now - envelope.createdAt >= expiry.maxAge) return true;
  return checkIdle && expiry.idle !== undefined && now - envelope.lastSeenAt >= expiry.idle;
}

/**
 * Seconds left before the absolute deadline; at most `maxAge` even for a creation stamp slightly ahead of
 * this machine's clock.
 *
 * @example
 * remainingLifetime(1000, { maxAge: 3600, rolling: false }, 1600); // 3000
 */
export function remainingLifetime(createdAt: number, expiry: ExpiryDefinition, now: number): number {
  return Math.min(expiry.maxAge, createdAt + expiry.maxAge - now);
}

/**
 * The cookie's `Max-Age`: the remaining absolute lifetime in whole seconds (never milliseconds), clamped
 * to what browsers keep (security.md #8).
 *
 * @example
 * cookieMaxAge(1000, { maxAge: 604800, rolling: false }, 1000); // 604800
 */
export function cookieMaxAge(createdAt: number, expiry: ExpiryDefinition, now: number): number {
  return Math.max(0, Math.min(MAX_COOKIE_AGE_SECONDS, remainingLifetime(createdAt, expiry, now)));
}

/**
 * The storage TTL for an entry written or touched at `now`: the idle timeout, but never past the absolute
 * deadline. Zero or less means the entry is already dead and must be deleted rather than written
 * (security.md #52).
 *
 * @example
 * storageTtl(0, { maxAge: 86400, idle: 7200, rolling: false }, 85000); // 1400
 */
export function storageTtl(createdAt: number, expiry: ExpiryDefinition, now: number): number {
  return Math.min(expiry.idle ?? expiry.maxAge, remainingLifetime(createdAt, expiry, now));
}

/**
 * Whether a by-value session read at `now` should be re-sealed with a fresh last-seen time although the
 * app did not change it. `rolling` re-sends on every read. Otherwise, with an idle timeout, the refresh
 * waits until a tenth of the idle window has passed: the session then slides in steps of at most 10% of
 * `idle` (so it may end up to 10% early), while a burst of requests does not re-seal and re-send the
 * cookie on every one of them.
 *
 * @example
 * isRefreshDue({ createdAt: 0, lastSeenAt: 0, payload: '' }, { maxAge: 86400, idle: 1800, rolling: false }, 180); // true
 */
export function isRefreshDue(envelope: Envelope, expiry: ExpiryDefinition, now: number): boolean {
  if (expiry.rolling) return true;
  return expiry.idle !== undefined && now - envelope.lastSeenAt >= expiry.idle / 10;
}
