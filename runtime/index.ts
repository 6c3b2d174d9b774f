/**
 * `typed-sessions/runtime`: what generated code and apps import. Anything not listed here is internal.
 */

// The middleware `installSessions()` returns, and its options.
export { createSessionsMiddleware, type InstallOptions } from './middleware.js';

// The request API: the type of `ctx.sessions`.
export type { Sessions } from './request-sessions.js';

// What generated code is made of: provider classes over plain definition data.
export { SessionProvider, type ProviderContext } from './provider.js';
export type {
  CompiledValidator,
  CookieSettings,
  ExpiryDefinition,
  ProviderClass,
  SessionDefinition,
  SpecDefinition,
  StorageDefinition,
  TransformDefinition,
  TransportDefinition,
  ValidatorError,
} from './definition.js';

// Serializers: the interface an app's codec module implements (JSON is the default).
export type { Serializer } from './definition.js';

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
