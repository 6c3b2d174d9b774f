import type { DirectoryStorageDefinition, RedisStorageDefinition, SessionDefinition, StorageDefinition } from './definition.js';
import { SessionConfigError } from './errors.js';
import type { SessionLogger } from './events.js';
import type { KeyRing } from './keys/key-ring.js';
import type { KtorFormat } from './ktor/format.js';
import type { Migration } from './ktor/migration.js';
import type { StorageBuilder } from './storage/storage-builder.js';
import type { Storage } from './storage/storage.js';

/**
 * What the core runtime does not import, so that a spec which does not use them never loads them (nor
 * `ioredis`): each comes from an entry of its own, which generated code imports when its spec uses it.
 *
 * @example
 * import { buildRedisStorage } from 'typed-sessions/redis';
 * const spec: SpecDefinition = { format: GENERATED_FORMAT, keys, storages, providers, layers: { redis: buildRedisStorage } };
 */
export interface SpecLayers {
  /** Builds `kind: redis` storages; from `typed-sessions/redis`. */
  readonly redis?: StorageBuilder<RedisStorageDefinition>;
  /** Builds `kind: directory` storages; from `typed-sessions/directory`. */
  readonly directory?: StorageBuilder<DirectoryStorageDefinition>;
  /** Ktor's wire format (docs/ktor.md); from `typed-sessions/ktor`. */
  readonly ktor?: KtorLayer;
}

/**
 * Ktor's wire format for sessions that declare `ktor` (docs/ktor.md): key rings of raw bytes, the startup
 * checks that span sessions, and each session's serializer, transformers and ids.
 */
export interface KtorLayer {
  /** Reads a key ring declared `encoding: hex`: the raw key bytes a Ktor service holds. */
  parseKeyRing(name: string, value: string | readonly string[], source: string): KeyRing;
  /**
   * Refuses Ktor-format sessions that would share raw ids on one store, and warns of Ktor HMAC keys shorter
   * than Ktor recommends. Throws `SessionConfigError`.
   */
  check(setup: KtorInstall): void;
  /** The spec's `migrateFrom` pairs, once every session has been built; throws `SessionConfigError` for one that is unsound. */
  planMigrations(definitions: readonly SessionDefinition<unknown>[]): readonly Migration[];
  /** The serializer, transformers, token alphabet and ids of one session in Ktor's format. */
  createFormat(definition: SessionDefinition<unknown>, keyRings: ReadonlyMap<string, KeyRing>): KtorFormat;
}

/** What the Ktor layer checks at `installSessions()`, before any storage is built. */
export interface KtorInstall {
  /** Every session of the spec, in spec order. */
  readonly definitions: readonly SessionDefinition<unknown>[];
  readonly storages: Readonly<Record<string, StorageDefinition>>;
  /** Storage instances the app passed to `installSessions({ storages })`, by storage name. */
  readonly given: Readonly<Record<string, Storage>>;
  readonly keyRings: ReadonlyMap<string, KeyRing>;
  readonly logger: SessionLogger;
}

/** The package entry that exports each layer, for the error that names it. */
const LAYER_ENTRIES: Readonly<Record<keyof SpecLayers, string>> = {
  redis: 'buildRedisStorage from typed-sessions/redis',
  directory: 'buildDirectoryStorage from typed-sessions/directory',
  ktor: 'ktorLayer from typed-sessions/ktor',
};

/**
 * The optional layer `layer` of a spec definition, which `user` (what needs it, as the start of a
 * sentence) needs. Generated code brings every layer its spec uses, so a missing one means a definition
 * written by hand, or generated before the layer existed: throws `SessionConfigError` saying so.
 *
 * @example
 * requireLayer(spec.layers, 'redis', 'storage "cache" is kind redis, which'); // spec.layers.redis
 */
export function requireLayer<K extends keyof SpecLayers>(layers: SpecLayers | undefined, layer: K, user: string): NonNullable<SpecLayers[K]> {
  const found = layers?.[layer];
  if (found === undefined) {
    throw new SessionConfigError(
      `${user} needs layers.${layer} (${LAYER_ENTRIES[layer]}) in the spec definition, which does not have it; generated code brings every layer its spec uses: run npx typed-sessions gen`,
    );
  }
  return found as NonNullable<SpecLayers[K]>;
}
