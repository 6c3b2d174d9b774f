/**
 * `typed-sessions/core`: internal, what generated code imports: the middleware factory, the provider
 * base class and the definition data its subclasses carry, of the format this runtime reads. Not an API for apps,
 * which import `typed-sessions`; it changes with the generated format. Nothing of the optional layers
 * (Redis, the directory storage, Ktor's format), which generated code imports from their own entries
 * when its spec uses them.
 */

// The middleware `installSessions()` returns, and its options.
export { createSessionsMiddleware } from './middleware.js';
export type { InstallOptions } from './install.js';

// The request API: the type of `ctx.sessions`.
export type { Sessions } from './sessions.js';
export type { Draft } from './read-only.js';
export type { ListedSession, SessionAdmin } from './session-admin.js';
export type { RevocationAdmin, SessionsMiddleware } from './middleware.js';

// What generated code is made of: provider classes carrying plain definition data, of the format this runtime reads.
export { SessionProvider, type ProviderClass } from './provider.js';
export type { SpecDefinition } from './spec-definition.js';
export type { KtorInstall, KtorLayer, SpecLayers } from './layers.js';
export type { StorageBuilder, StorageSetup } from './storage/storage-builder.js';
export { GENERATED_FORMAT } from './generated-format.js';
export type {
  CompiledValidator,
  CookieSettings,
  DirectoryStorageDefinition,
  ExpiryDefinition,
  RedisStorageDefinition,
  SessionDefinition,
  StorageDefinition,
  TransformDefinition,
  TransportDefinition,
  ValidatorError,
} from './definition.js';
