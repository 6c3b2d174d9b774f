/**
 * `typed-sessions/core`: what generated code imports, and nothing of the optional layers (Redis, the
 * directory storage, Ktor's format), which generated code imports from their own entries when its spec
 * uses them. Apps import `typed-sessions/runtime`, which has all of this too.
 */

// The middleware `installSessions()` returns, and its options.
export { createSessionsMiddleware } from './middleware.js';
export type { InstallOptions } from './install.js';

// The request API: the type of `ctx.sessions`.
export type { Sessions } from './sessions.js';

// What generated code is made of: provider classes over plain definition data, of the format this runtime reads.
export { SessionProvider, type ProviderClass, type ProviderContext } from './provider.js';
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
