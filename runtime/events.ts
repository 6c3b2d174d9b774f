/**
 * What the runtime reports through `installSessions({ onEvent, logger })`: every rejected incoming
 * session, every refresh, every storage fault and every eviction from a bounded storage. Events carry reason codes and names, never a token,
 * an id or a payload, so they are safe to ship to any log.
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
  /** Past its absolute lifetime or idle timeout, or stamped in the future. */
  | 'expired'
  /** Decoded, but the payload fails the session's schema. */
  | 'schema'
  /** Longer than any token or stored value this session writes; refused before any decoding. */
  | 'too_large'
  /** A well-formed id with no entry in the storage: never issued, expired or cleared (security.md #35). */
  | 'unknown_id'
  /** The same cookie name came more than once and more than one value verified (security.md #4). */
  | 'ambiguous';

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
  | 'key_rotated';

/** `lock` takes or renews the lock of `concurrency: serialize`, `unlock` releases it. */
export type StorageOperation = 'read' | 'write' | 'invalidate' | 'lock' | 'unlock';

export interface SessionRejectedEvent {
  readonly type: 'rejected';
  readonly session: string;
  readonly reason: RejectionReason;
  readonly source: RejectionSource;
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

/** The same, but re-issuing failed (the native token would be too large): the user stays on the Ktor session. */
export interface SessionMigrationFailedEvent {
  readonly type: 'migration_failed';
  readonly session: string;
  readonly from: string;
  /** The error's stable code, e.g. `SESSION_TOO_LARGE`. */
  readonly error: string;
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

export type SessionEvent =
  | SessionRejectedEvent
  | SessionRefreshedEvent
  | StoreUnavailableEvent
  | SessionConflictEvent
  | SessionBusyEvent
  | SessionMigratedEvent
  | SessionMigrationFailedEvent
  | StorageEvictedEvent;

/** Where warnings go: rejections and storage faults. */
export interface SessionLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

/**
 * One JSON line per warning on stderr: greppable, and parseable by log shippers.
 *
 * @example
 * stderrLogger.warn('session rejected', { session: 'user', reason: 'tampered' });
 * // {"level":"warn","message":"session rejected","session":"user","reason":"tampered"}
 */
export const stderrLogger: SessionLogger = {
  warn(message, fields) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`);
  },
};

const WARNINGS: Readonly<Record<SessionEvent['type'], string | undefined>> = {
  rejected: 'session rejected',
  store_unavailable: 'session storage unavailable',
  conflict: 'session changed by a concurrent request',
  busy: 'session busy with another request',
  refreshed: undefined,
  migrated: undefined,
  migration_failed: 'session migration failed',
  // Not a fault, and a flood would turn one line per eviction into a flood of log lines.
  evicted: undefined,
};

/**
 * The single `emit` every session pipeline calls: the app's `onEvent` sees everything, the logger sees warnings.
 * A throwing hook or logger is the app's bug, but must not turn a refused cookie into a 500, so it is
 * caught and reported to the logger.
 *
 * @example
 * const emit = createEmitter((event) => metrics.count(event.type), stderrLogger);
 */
export function createEmitter(
  onEvent: ((event: SessionEvent) => void) | undefined,
  logger: SessionLogger,
): (event: SessionEvent) => void {
  return function emit(event) {
    const warning = WARNINGS[event.type];
    if (warning !== undefined) {
      const { type: _type, ...fields } = event;
      warnSafely(logger, warning, fields);
    }
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (error) {
      warnSafely(logger, 'onEvent hook threw', { event: event.type, error: String(error) });
    }
  };
}

/** `logger.warn`, except that a throwing logger is swallowed: a warning must never fail the response. */
export function warnSafely(logger: SessionLogger, message: string, fields: Record<string, unknown>): void {
  try {
    logger.warn(message, fields);
  } catch {
    // A failing logger has nowhere left to report to; the response goes on.
  }
}
