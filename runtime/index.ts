/**
 * `typed-sessions/runtime`: what apps import. Anything not listed here or in the entries of the optional
 * layers (`typed-sessions/redis`, `typed-sessions/directory`, `typed-sessions/ktor`) is internal. Importing
 * it loads the Redis and directory storages' modules, not `ioredis`; generated code imports
 * `typed-sessions/core`, which loads neither.
 */

// Everything generated code imports (typed-sessions/core): the middleware and its options, the type of
// `ctx.sessions`, provider classes and the definition data they are built from.
export * from './core.js';

// Serializers: the interface an app's codec module implements (JSON is the default).
export type { Serializer } from './serializer/serializer.js';

// Storages for sessions tracked by id: the interface, and the built-in memory, directory and Redis storages.
export type { Storage, StoredEntry, WriteOptions } from './storage/storage.js';
export { MemoryStorage, type MemoryStorageOptions } from './storage/memory.js';
export { DirectoryStorage, type DirectoryStorageOptions } from './storage/directory.js';
export { RedisStorage, type RedisStorageOptions } from './storage/redis.js';

// Keys: a fresh key for a key ring (what `typed-sessions keygen` prints).
export { generateKey } from './keygen.js';

// Events and logging: what `onEvent` and `logger` receive.
export type {
  RefreshReason,
  RejectionReason,
  RejectionSource,
  SessionConflictEvent,
  SessionEvent,
  SessionLogger,
  SessionMigratedEvent,
  SessionMigrationFailedEvent,
  SessionRefreshedEvent,
  SessionRejectedEvent,
  StorageEvictedEvent,
  StorageOperation,
  StoreUnavailableEvent,
} from './events.js';

// Errors, each with a stable `name` and `code`.
export {
  SessionConfigError,
  SessionConflictError,
  SessionStateError,
  SessionStorageError,
  SessionTooLargeError,
  SessionUsageError,
  SessionValidationError,
} from './errors.js';
