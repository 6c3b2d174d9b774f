/**
 * The storages a spec's sessions use, resolved once at startup: the app's instance from
 * `installSessions({ storages })`, else one built from the spec (memory by the core; Redis and directory by
 * their layers, which generated code passes in `spec.layers`).
 */
import type { Clock } from '../clock.js';
import type { StorageDefinition } from '../definition.js';
import { SessionConfigError } from '../errors.js';
import type { RuntimeEvent, SessionLogger } from '../events.js';
import { requireLayer } from '../layers.js';
import { ownEntry } from '../own-entry.js';
import type { SpecDefinition } from '../spec-definition.js';
import { MemoryStorage } from './memory.js';
import type { StorageSetup } from './storage-builder.js';
import type { Storage } from './storage.js';

/** What a storage built from the spec is given besides its declaration. */
export interface StorageContext {
  readonly clock: Clock;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: SessionLogger;
  readonly emit: (event: RuntimeEvent) => void;
}

/**
 * Every storage a session uses: the app's instance from `given` (`installSessions({ storages })`), else built from the spec
 * (memory by the core; Redis and directory by their layers).
 */
export function resolveStorages(spec: SpecDefinition, given: Readonly<Record<string, Storage>> | undefined, context: StorageContext): ReadonlyMap<string, Storage> {
  const storages = new Map<string, Storage>();
  for (const provider of spec.providers) {
    // By id, the entries' storage; by value with `revocation:`, the one holding the users' stamps.
    const name = provider.definition.storage ?? provider.definition.revocation?.storage;
    if (name === undefined || storages.has(name)) continue;
    const instance = ownEntry(given, name);
    const declared = ownEntry(spec.storages, name);
    if (instance !== undefined) storages.set(name, instance);
    else if (declared === undefined) {
      throw new SessionConfigError(`storage "${name}" is used by session "${provider.definition.name}" but not declared under storages: in sessions.yaml`);
    } else storages.set(name, buildStorage(spec, name, declared, context));
  }
  return storages;
}

function buildStorage(spec: SpecDefinition, name: string, declared: StorageDefinition, { clock, env, logger, emit }: StorageContext): Storage {
  const setup: StorageSetup = { clock, env, onEvict: () => emit({ type: 'evicted', storage: name }) };
  const user = `storage "${name}" is kind ${declared.kind}, which`;
  switch (declared.kind) {
    case 'memory':
      if (env.NODE_ENV === 'production') {
        logger.warn('memory session storage in production: sessions are lost on restart and not shared between processes', { storage: name });
      }
      return new MemoryStorage({ maxEntries: declared.maxEntries, clock, onEvict: setup.onEvict });
    case 'directory':
      return requireLayer(spec.layers, 'directory', user)(name, declared, setup);
    case 'redis':
      return requireLayer(spec.layers, 'redis', user)(name, declared, setup);
  }
}
