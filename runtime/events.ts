/**
 * What the runtime reports through `installSessions({ onEvent, onLifecycle, logger })`: to `onEvent` every
 * rejected incoming session, every refresh, every storage fault and every eviction from a bounded storage;
 * to `onLifecycle` each session's life (created, destroyed, expired, regenerated). Events carry reason codes
 * and names, never a token, an id or a payload, so they are safe to ship to any log, an audit log of
 * sign-ins included.
 */

/**
 * Why an incoming session was refused. Codes only reach events and logs: the client sees the same
 * response for all of them (security.md #24).
 */
export type RejectionReason =
  /** Not a token this session could have issued: bad alphabet, bad envelope, bad JSON. */
  | 'malformed'
  /** The signature or authentication tag did not verify. */
  | 'tampered'
  /** Sealed under a key that is not in the ring (any more). */
  | 'unknown_key'
  /**
   * Past its absolute lifetime or idle timeout (then also an `expired` event to `onLifecycle`), or stamped further
   * in the future than the clock skew allows (security.md #22).
   */
  | 'expired'
  /** Decoded, but the payload fails the session's schema. */
  | 'schema'
  /** Longer than any token or stored value this session writes; refused before any decoding. */
  | 'too_large'
  /** A well-formed id with no entry in the storage: never issued, expired or cleared (security.md #35). */
  | 'unknown_id'
  /**
   * The same cookie name came more than once and more than one value verified (security.md #4), or a
   * chunked session's chunks could be put together in too many ways (#67).
   */
  | 'ambiguous'
  /**
   * A chunked session's cookies lack one its chunk 0 counts, or chunk 0 itself: a browser dropping cookies
   * over its limits, or a client sending part of a set (security.md #67).
   */
  | 'incomplete'
  /**
   * Written under an older payload version the spec keeps (docs/schema-evolution.md), but its migration threw
   * or returned a payload the next version's schema refuses. The event names the step and why.
   */
  | 'migration_failed'
  /** `revocation:` sessions: created before its user's sessions were revoked (`revokeAll`), found at a recheck. */
  | 'revoked';

/** Where the refused data came from: the client's token, or the entry the storage returned for it. */
export type RejectionSource = 'token' | 'storage';

/** Why a session was re-sent without the app changing it. */
export type RefreshReason =
  /** `rolling: true`: re-sent on every request that carries it. */
  | 'rolling'
  /**
   * Idle timeout, by value: re-sealed with a new last-seen time. Never by id: every storage read slides the
   * idle window itself and nothing is re-sent, so a read-only by-id request emits no `refreshed` event.
   */
  | 'idle'
  /** Sealed under an older key of the ring: re-sealed under the newest (security.md #16). */
  | 'key_rotated'
  /** Written under an older payload version: migrated, and re-sealed or rewritten under the current one. */
  | 'migrated'
  /** `revocation:` sessions: its user's stamp was read and let it through; re-sealed with the new check time. */
  | 'rechecked';

/** `lock` takes or renews the lock of `concurrency: serialize`, `unlock` releases it. */
export type StorageOperation = 'read' | 'write' | 'invalidate' | 'lock' | 'unlock';

/**
 * A new session was written: the first `set` of a session the request did not carry (a sign-in, for a
 * session that holds a user), including one set after `clear()` or after its token was refused.
 */
export interface SessionCreatedEvent {
  readonly type: 'created';
  readonly session: string;
}

/**
 * The session the request carried was ended by the app: `clear()`, or `clear()` then `set()` (a login),
 * which is this event and then `created`.
 */
export interface SessionDestroyedEvent {
  readonly type: 'destroyed';
  readonly session: string;
}

/**
 * A session past its absolute lifetime or idle timeout was noticed: its token or stored entry came in after
 * its time (refused as well: a `rejected` event with reason `expired` to `onEvent`), or its absolute
 * lifetime ran out while a request was writing it. A by-id entry the storage already dropped at its TTL
 * cannot be told from one never issued: that is a `rejected` `unknown_id` only. Not a warning of its own:
 * the refusal is the log line.
 */
export interface SessionExpiredEvent {
  readonly type: 'expired';
  readonly session: string;
}

/** A by-id session went on under a new id (`regenerate()`), its old id dead (security.md #35, #36). */
export interface SessionRegeneratedEvent {
  readonly type: 'regenerated';
  readonly session: string;
}

export interface SessionRejectedEvent {
  readonly type: 'rejected';
  readonly session: string;
  readonly reason: RejectionReason;
  readonly source: RejectionSource;
  /** `migration_failed`: the payload version whose migration failed. */
  readonly fromVersion?: number;
  /** `migration_failed`: the version it was migrating to (`fromVersion + 1`). */
  readonly toVersion?: number;
  /** `migration_failed`: `threw TypeError`, or the path and rule of the next version that the result broke. Never payload data. */
  readonly error?: string;
}

export interface SessionRefreshedEvent {
  readonly type: 'refreshed';
  readonly session: string;
  readonly reason: RefreshReason;
}

export interface StoreUnavailableEvent {
  readonly type: 'store_unavailable';
  readonly session: string;
  readonly storage: string;
  readonly operation: StorageOperation;
  /** The storage's error message, or "timed out after N ms". Storages only ever see hashed keys. */
  readonly error: string;
}

/**
 * A by-id session's change was refused because another request changed or cleared it first (security.md
 * #49, #50); the client got a 409.
 */
export interface SessionConflictEvent {
  readonly type: 'conflict';
  readonly session: string;
  readonly storage: string;
}

/**
 * A request on a session tracked by id got a 503 (`SessionBusyError`): its turn did not come within
 * `queueTimeout` (`reason: 'queue'`), or it held the session past `holdTimeout` and its changes were not
 * written (`reason: 'hold'`). A steady rate means requests on one session outlast the bounds.
 */
export interface SessionBusyEvent {
  readonly type: 'busy';
  readonly session: string;
  readonly reason: 'queue' | 'hold';
}

/**
 * A valid Ktor-format session arrived without one of the native session migrating from it (`migrateFrom`):
 * its payload was re-issued as `session`, and the Ktor cookie expired unless `keptSource` (docs/ktor.md).
 */
export interface SessionMigratedEvent {
  readonly type: 'migrated';
  readonly session: string;
  readonly from: string;
  readonly keptSource: boolean;
}

/**
 * A payload written under an older version (docs/schema-evolution.md) was read and migrated to the current
 * version, and is re-sealed or rewritten in the same response. Count them by `fromVersion`: once none come
 * for a version, nothing live holds it, and the spec can drop it from `history:`. Told from the Ktor
 * migration's event by `'fromVersion' in event`.
 */
export interface PayloadMigratedEvent {
  readonly type: 'migrated';
  readonly session: string;
  readonly fromVersion: number;
  readonly toVersion: number;
}

/** The same, but re-issuing failed (`error` says why: the native token would be too large, say): the user stays on the Ktor session. */
export interface SessionMigrationFailedEvent {
  readonly type: 'migration_failed';
  readonly session: string;
  readonly from: string;
  /**
   * The error's stable code, e.g. `SESSION_TOO_LARGE`, or `SESSION_MIGRATION_FAILED` when the payload version the
   * Ktor session's schema is could not be migrated to the current one (docs/schema-evolution.md).
   */
  readonly error: string;
}

/**
 * Indexed sessions (`index:`) were ended before their time: `limit`, the least recently used beyond
 * `maxPerUser` when a user created one more; `admin`, by `revoke`, `revokeAll` or `revokeOthers`.
 */
export interface SessionRevokedEvent {
  readonly type: 'revoked';
  readonly session: string;
  readonly reason: 'limit' | 'admin';
  readonly count: number;
}

/**
 * A bounded storage (`memory` or `directory`, `maxEntries`) dropped a live entry to make room for a new
 * one. One event per entry, and nothing that names it: count them. A steady rate means the bound is too
 * small for the traffic, or a flood of created sessions is under way (security.md #64).
 */
export interface StorageEvictedEvent {
  readonly type: 'evicted';
  readonly storage: string;
}

/**
 * Flash values in a session that verified no longer match the spec (a key it no longer declares, or a value
 * its schema now refuses): they were dropped, the rest of the session kept (runtime/flash.ts).
 */
export interface FlashDroppedEvent {
  readonly type: 'flash_dropped';
  readonly session: string;
}

/** What `installSessions({ onEvent })` gets: refusals, refreshes, storage faults, migrations, evictions, dropped flash values. */
export type SessionEvent =
  | SessionRejectedEvent
  | SessionRefreshedEvent
  | StoreUnavailableEvent
  | SessionConflictEvent
  | SessionBusyEvent
  | SessionMigratedEvent
  | PayloadMigratedEvent
  | SessionMigrationFailedEvent
  | StorageEvictedEvent
  | SessionRevokedEvent
  | FlashDroppedEvent;

/** What `installSessions({ onLifecycle })` gets: each session's life, for an audit log of sign-ins. */
export type LifecycleEvent = SessionCreatedEvent | SessionDestroyedEvent | SessionExpiredEvent | SessionRegeneratedEvent;

/** What the runtime's parts report, each to its hook. */
export type RuntimeEvent = SessionEvent | LifecycleEvent;

/** Where warnings go: rejections and storage faults. */
export interface SessionLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}
