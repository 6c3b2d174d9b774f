/**
 * Where sessions tracked by id keep their data (Ktor's `SessionStorage`). Keys are never raw session ids:
 * the runtime passes `storageKeyForId(session, id)`, a SHA-256 of the session's name and the id (security.md
 * #42, security.md #55), so an implementation can log or scan its keys freely. Values are the runtime's
 * envelope text, opaque to the storage.
 *
 * Concurrency is optimistic: every entry carries a `version` that changes on each write, and writes and
 * deletes can be made conditional on it. Each conditional call is one atomic step (one Lua script on
 * Redis, one synchronous step in memory, a lock file around the check and the rename on disk), so two
 * requests that loaded the same entry cannot both replace it: the second finds the version moved and
 * gets `false` (security.md #49, #50).
 *
 * Every entry has a time to live from the moment it exists, and may carry an absolute deadline that
 * no sliding read moves (security.md #52).
 *
 * Every method may reject or hang; the runtime bounds each call with `storageTimeout` and answers 503.
 *
 * @example
 * const storages = { redis: myRedisStorage } satisfies Record<string, Storage>;
 * app.use(installSessions({ storages }));
 */
export interface Storage {
  /**
   * The live entry under `key`, or `undefined` when there is none or it has expired. With
   * `slideSeconds`, the same step extends the entry's life to `slideSeconds` from now, never past its
   * deadline (an entry whose deadline has passed is deleted), without rewriting its value or version: a
   * read-only request slides its idle timeout in one call (one Redis round trip, security.md #51, #54).
   * A missing entry stays missing, so a sliding read cannot bring back a cleared session (security.md #50).
   *
   * With `touchAfterSeconds` too, it slides only when that moves the expiry later by at least that many
   * seconds, and otherwise writes nothing. The expiry is where the last slide is recorded (`slideSeconds`
   * after it), so reads within `touchAfterSeconds` of the last slide or write cost no write, and the entry
   * still dies exactly `slideSeconds` after the last slide. A storage that ignores it slides on every read:
   * correct, with more writes.
   */
  read(key: string, slideSeconds?: number, touchAfterSeconds?: number): Promise<StoredEntry | undefined>;
  /**
   * Stores `value` under `key` for `ttlSeconds` (always above 0) with a fresh version, and resolves to
   * whether it did: with `ifAbsent`, only when no live entry has the key; with `ifVersion`, only while
   * the live entry has that version; with neither, always.
   */
  write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean>;
  /**
   * Deletes `key`, and resolves to `true`; deleting a missing key succeeds. With `ifVersion`, deletes
   * only the entry of that version, and resolves to `false` when the key holds another one or none.
   */
  invalidate(key: string, ifVersion?: string): Promise<boolean>;
  /**
   * `true` for a storage that answers from this process's memory and so cannot hang (`MemoryStorage`): its
   * calls skip the `storageTimeout` deadline, and a call that throws or rejects is still a 503. Leave it
   * unset for anything that waits on I/O.
   */
  readonly inProcess?: boolean;
}

/** An entry as read: the value and the version a conditional write or delete compares against. */
export interface StoredEntry {
  readonly value: string;
  /** Opaque; different after every write, never reused for the same key. */
  readonly version: string;
}

export interface WriteOptions {
  /** Write only when no live entry has the key: creation never overwrites (Redis `SET NX`, security.md #44). */
  readonly ifAbsent?: boolean;
  /** Write only while the live entry has this version: an update of what was read (security.md #49, #50). */
  readonly ifVersion?: string;
  /**
   * Seconds from now past which the entry never lives, whatever sliding reads ask: the
   * session's absolute deadline. Default: no deadline beyond `ttlSeconds` slides.
   */
  readonly maxSeconds?: number;
}

/**
 * A lock per key that holds across every process sharing the storage, for sessions with `concurrency:
 * serialize` (docs/storage.md): `RedisStorage` has one; memory and directory storage do not. The runtime
 * takes it with a random `token` for one request, so only that request renews or releases it, and for at
 * most `holdMs`, so a crashed process never holds a session longer. Each call is one atomic step.
 *
 * @example
 * if (await storage.lock(key, token, 10_000)) {
 *   try { ... } finally { await storage.unlock(key, token); }
 * }
 */
export interface StorageLocks {
  /** Takes the lock on `key` for `holdMs` milliseconds if no one holds it, and resolves to whether it did (Redis `SET NX PX`). */
  lock(key: string, token: string, holdMs: number): Promise<boolean>;
  /** Moves the lock's expiry to `holdMs` from now if `token` still holds it, and resolves to whether it does. */
  renewLock(key: string, token: string, holdMs: number): Promise<boolean>;
  /** Releases the lock if `token` still holds it; a lock taken since by another request stays. */
  unlock(key: string, token: string): Promise<void>;
}

/** Whether `storage` has the locks `concurrency: serialize` takes. */
export function hasLocks(storage: Storage): storage is Storage & StorageLocks {
  const locks = storage as Partial<StorageLocks>;
  return typeof locks.lock === 'function' && typeof locks.renewLock === 'function' && typeof locks.unlock === 'function';
}

/**
 * Per-user indexes of by-id sessions (`index:` in the spec, docs/storage.md): an index is a key of its own
 * (the runtime passes a SHA-256 of the session's name and the indexed value, never the value itself) whose
 * members are entry keys. Every call is one atomic step, so an entry and its membership never disagree for
 * another caller: an entry written is filed in the same step, an entry deleted leaves in the same step, and
 * `revokeIndex` deletes every member's entry at once. A concurrent write on a revoked entry then finds it gone
 * (its version check fails), so it is neither brought back nor filed again (security.md #50).
 *
 * An index lives as long as its longest-lived member can (each join extends it to that member's
 * `maxSeconds`); members whose entry expired or was evicted are dropped when `listIndex` finds them.
 */
export interface StorageIndexes {
  /**
   * `write(key, value, ttlSeconds, options)`, and when it writes, in the same step: `key` joins index
   * `change.join` and leaves index `change.leave` (the indexed value changed). When the condition fails,
   * nothing changes. `maxSeconds` is required: it is how long the index must live for this member, since
   * sliding reads extend the entry alone.
   */
  writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean>;
  /** `invalidate(key, ifVersion)`, and when it deletes, in the same step `key` leaves `index`. */
  invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean>;
  /**
   * Every live entry filed under `index`, read in one step (one round trip on Redis), members whose entry is
   * gone dropped from the index as they are found: an index never hands out a session that no longer exists.
   */
  listIndex(index: string): Promise<IndexedEntry[]>;
  /**
   * Deletes, in one step, every entry filed under `index` except those whose key is in `keep`, with their
   * memberships; resolves to the keys it deleted.
   */
  revokeIndex(index: string, keep?: readonly string[]): Promise<string[]>;
}

/** A write that files its entry: the entry's deadline is known, so the index can outlive it. */
export interface IndexedWriteOptions extends WriteOptions {
  readonly maxSeconds: number;
}

/** Which index a written entry joins, and which it leaves when the value it is indexed by changed. */
export interface IndexChange {
  readonly join: string;
  readonly leave?: string;
}

/** An entry as `listIndex` finds it: its key, the entry as `read` returns it, and the seconds it has left to live. */
export interface IndexedEntry extends StoredEntry {
  readonly key: string;
  readonly ttlSeconds: number;
}

/** Whether `storage` keeps the indexes `index:` needs. */
export function hasIndexes(storage: Storage): storage is Storage & StorageIndexes {
  const indexes = storage as Partial<StorageIndexes>;
  return typeof indexes.writeIndexed === 'function' && typeof indexes.invalidateIndexed === 'function' && typeof indexes.listIndex === 'function' && typeof indexes.revokeIndex === 'function';
}
