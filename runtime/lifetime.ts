import type { ExpiryDefinition } from './definition.js';
import type { Envelope } from './envelope.js';
import type { RefreshReason } from './events.js';

/**
 * Session lifetimes, all in whole seconds: the absolute `maxAge` counted from creation and never
 * extended (security.md #39), the sliding `idle` timeout counted from the last recorded activity (#38),
 * recorded at most once per `touchAfter`, the earlier end a write's cookie options may set (`expiresAt`,
 * #68), and what they mean for cookie attributes and storage TTLs.
 */

/**
 * Tolerated clock difference between the machines that seal and open a token. A timestamp further in
 * the future than this was not written by a well-behaved server of this app (security.md #22).
 */
export const CLOCK_SKEW_SECONDS = 60;

/** RFC 6265bis section 5.5: browsers cap Max-Age and Expires at 400 days. */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

/**
 * The longest default `touchAfter`. A tenth of `idle` keeps a burst of requests from writing on every one of
 * them; past an hour the writes saved are few (one per active session per hour) while the idle time a
 * session may lose keeps growing, so a week-long `idle` loses at most an hour, not 16.8 of them.
 */
const MAX_DEFAULT_TOUCH_AFTER_SECONDS = 3600;

/**
 * Where a session's idle timeout runs (security.md #38). `sealed`: in the envelope's last-seen time, slid by
 * re-sealing and re-sending the session (by value). `stored`: in the storage entry's TTL, slid in the read
 * itself, so nothing is re-sent for it (by id).
 */
export type IdleClock = 'sealed' | 'stored';

/**
 * Every expiry and refresh decision of one session, in one place: whether a loaded session is dead,
 * whether an unchanged one is re-sent and why, how often activity slides the idle window, and the cookie
 * `Max-Age` and storage TTLs of a write. Each tracker says where its idle clock runs.
 *
 * Activity is recorded (the idle window slid) only once `touchAfter` seconds have passed since it last
 * was, so a session dies exactly `idle` after its last recorded activity: a user whose last request came
 * at T is signed out after more than `idle - touchAfter` and at most `idle` seconds from T (docs/spec.md).
 *
 * @example
 * const lifetime = new Lifetime({ maxAge: 86400, idle: 1800, rolling: false }, 'sealed');
 * lifetime.refreshReason({ createdAt: 0, lastSeenAt: 0, payload: '' }, false, 180); // 'idle'
 */
export class Lifetime {
  /**
   * Seconds after the last recorded activity before a request records it again; `undefined` without `idle`.
   * `rolling` records every request (0): it re-sends, and by value re-seals, the session on each of them.
   */
  readonly touchAfter: number | undefined;

  constructor(
    readonly expiry: ExpiryDefinition,
    readonly idleClock: IdleClock,
  ) {
    const { idle, touchAfter, rolling } = expiry;
    this.touchAfter = idle === undefined ? undefined : rolling ? 0 : (touchAfter ?? Math.min(Math.floor(idle / 10), MAX_DEFAULT_TOUCH_AFTER_SECONDS));
  }

  /**
   * Whether `envelope` is stamped further in the future than the clock skew allows at `now`: refused with
   * reason `expired` (security.md #22), but kept apart from `isExpired` because no well-behaved server of
   * this app wrote it, so it was never a live session whose end the lifecycle `expired` event reports.
   *
   * @example
   * new Lifetime({ maxAge: 3600, rolling: false }, 'sealed').isStampedAhead({ createdAt: 0, lastSeenAt: 61, payload: '' }, 0); // true
   */
  isStampedAhead(envelope: Envelope, now: number): boolean {
    return envelope.createdAt > now + CLOCK_SKEW_SECONDS || envelope.lastSeenAt > now + CLOCK_SKEW_SECONDS;
  }

  /**
   * Whether a session stamped with `envelope` is dead at `now`: past `maxAge` or the end its write chose,
   * or, with a sealed idle clock, idle too long. A stored idle clock is the storage's to enforce: an entry
   * idle too long is gone before it is read.
   *
   * @example
   * new Lifetime({ maxAge: 3600, rolling: false }, 'sealed').isExpired({ createdAt: 0, lastSeenAt: 0, payload: '' }, 3600); // true
   */
  isExpired(envelope: Envelope, now: number): boolean {
    if (now - envelope.createdAt >= this.expiry.maxAge) return true;
    if (envelope.choice?.expiresAt !== undefined && now >= envelope.choice.expiresAt) return true;
    return this.#sealedIdle !== undefined && now - envelope.lastSeenAt >= this.#sealedIdle;
  }

  /**
   * Why a loaded session the app did not change is re-sent at `now`, or `undefined` when it is not: sealed
   * under an older key (security.md #16), `rolling`, or a sealed idle clock whose last recorded activity
   * (the sealed last-seen time) is `touchAfter` or more ago. Inside that interval a burst of requests
   * re-seals and re-sends nothing. A stored idle clock slides in the read, so it never asks for a refresh.
   *
   * @example
   * new Lifetime({ maxAge: 86400, idle: 1800, rolling: false }, 'stored').refreshReason(envelope, false, 180); // undefined
   */
  refreshReason(envelope: Envelope, stale: boolean, now: number): RefreshReason | undefined {
    if (stale) return 'key_rotated';
    if (this.expiry.rolling) return 'rolling';
    return this.idleClock === 'sealed' && this.touchAfter !== undefined && now - envelope.lastSeenAt >= this.touchAfter ? 'idle' : undefined;
  }

  /**
   * With a stored idle clock, the seconds a storage read slides the entry's TTL to (only when that moves it
   * by `touchAfter` or more: the TTL records the last slide); else `undefined`.
   */
  get slideSeconds(): number | undefined {
    return this.idleClock === 'stored' ? this.expiry.idle : undefined;
  }

  /**
   * Seconds left before the absolute deadline, or the earlier `expiresAt` a write chose; at most `maxAge`
   * even for a creation stamp slightly ahead of this machine's clock.
   *
   * @example
   * new Lifetime({ maxAge: 3600, rolling: false }, 'stored').remaining(1000, 1600); // 3000
   * new Lifetime({ maxAge: 3600, rolling: false }, 'stored').remaining(1000, 1600, 2600); // 1000
   */
  remaining(createdAt: number, now: number, expiresAt?: number): number {
    const left = Math.min(this.expiry.maxAge, createdAt + this.expiry.maxAge - now);
    return expiresAt === undefined ? left : Math.min(left, expiresAt - now);
  }

  /**
   * The cookie's `Max-Age`: the remaining absolute lifetime in whole seconds (never milliseconds), clamped
   * to what browsers keep (security.md #8).
   *
   * @example
   * new Lifetime({ maxAge: 604800, rolling: false }, 'sealed').cookieMaxAge(1000, 1000); // 604800
   */
  cookieMaxAge(createdAt: number, now: number, expiresAt?: number): number {
    return Math.max(0, Math.min(MAX_COOKIE_AGE_SECONDS, this.remaining(createdAt, now, expiresAt)));
  }

  /**
   * The storage TTL for an entry written at `now`: the idle timeout, but never past the absolute deadline.
   * Zero or less means the entry is already dead and must be deleted rather than written (security.md #52).
   *
   * @example
   * new Lifetime({ maxAge: 86400, idle: 7200, rolling: false }, 'stored').storageTtl(0, 85000); // 1400
   */
  storageTtl(createdAt: number, now: number, expiresAt?: number): number {
    return Math.min(this.expiry.idle ?? this.expiry.maxAge, this.remaining(createdAt, now, expiresAt));
  }

  get #sealedIdle(): number | undefined {
    return this.idleClock === 'sealed' ? this.expiry.idle : undefined;
  }
}
