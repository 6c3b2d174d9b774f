/**
 * `typed-sessions`: what an app imports, and all of it: the options of `installSessions()`, the type of
 * `ctx.sessions`, the serializer interface, the storages, keys, events and errors. Generated code imports
 * `typed-sessions/core` (internal: the provider plumbing, not an API for apps), and the optional layers
 * from their own entries (`typed-sessions/redis`, `typed-sessions/directory`, `typed-sessions/ktor`) when
 * its spec uses them. Importing this entry loads the Redis and directory storages' modules, not `ioredis`.
 */

// The options of the generated `installSessions()`, the type of `ctx.sessions`, and what its `set` takes for a cookie.
export type { InstallOptions } from './install.js';
export type { Sessions } from './sessions.js';
export type { Draft } from './read-only.js';
export type { CookieOptions } from './cookie-options.js';

// Serializers: the interface an app's codec module implements (JSON is the default).
export type { Serializer } from './serializer/serializer.js';

// Storages for sessions tracked by id: the interface (and the lock of `concurrency: serialize`), and the built-in memory, directory and Redis storages.
// Indexed sessions and revocation (docs/spec.md, index and revocation): the admin side of the middleware.
export type { ListedSession, SessionAdmin } from './session-admin.js';
export type { RevocationAdmin, SessionsMiddleware } from './middleware.js';
export type { IndexChange, IndexedEntry, IndexedWriteOptions, Storage, StorageIndexes, StorageLocks, StoredEntry, WriteOptions } from './storage/storage.js';
export { MemoryStorage, type MemoryStorageOptions } from './storage/memory.js';
export { DirectoryStorage, type DirectoryStorageOptions } from './storage/directory.js';
export { RedisStorage, type RedisStorageOptions } from './storage/redis.js';
export type { RedisClient } from './storage/redis-client.js';

// Keys: a fresh key for a key ring (what `typed-sessions keygen` prints).
export { generateKey } from './keygen.js';

// Events and logging: what `onEvent`, `onLifecycle` and `logger` receive.
export type {
  FlashDroppedEvent,
  LifecycleEvent,
  RefreshReason,
  RejectionReason,
  RejectionSource,
  SessionBusyEvent,
  SessionConflictEvent,
  SessionCreatedEvent,
  SessionDestroyedEvent,
  SessionEvent,
  SessionExpiredEvent,
  SessionLogger,
  SessionMigratedEvent,
  PayloadMigratedEvent,
  SessionMigrationFailedEvent,
  SessionRefreshedEvent,
  SessionRegeneratedEvent,
  SessionRejectedEvent,
  SessionRevokedEvent,
  StorageEvictedEvent,
  StorageOperation,
  StoreUnavailableEvent,
} from './events.js';

// Errors, each with a stable `name` and `code`; `SessionError` is the base of them all.
export {
  SessionBusyError,
  SessionConfigError,
  SessionError,
  SessionConflictError,
  SessionStateError,
  SessionStorageError,
  SessionTooLargeError,
  SessionUsageError,
  SessionValidationError,
} from './errors.js';
