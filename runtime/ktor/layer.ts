import { SessionConfigError } from '../errors.js';
import { warnSafely } from '../emitter.js';
import type { KtorInstall, KtorLayer } from '../layers.js';
import { createKtorFormat, ktorHmacKeyRings } from './format.js';
import { planMigrations } from './migration.js';
import { rawIdSharing, rawIdSharingProblem, storeOf } from './raw-id-sharing.js';
import { parseRawKeyRing, shortHmacKeyWarning } from './raw-key-ring.js';

/**
 * Ktor's wire format as an optional layer of the runtime (docs/ktor.md): generated code passes it as
 * `layers.ktor` when its spec has a session in Ktor's format, and only then is this folder loaded.
 *
 * @example
 * const spec: SpecDefinition = { format: GENERATED_FORMAT, keys, storages, providers, layers: { ktor: ktorLayer } };
 */
export const ktorLayer: KtorLayer = {
  parseKeyRing: parseRawKeyRing,
  check({ definitions, storages, given, keyRings, logger }) {
    refuseRawIdSharing(definitions, storages, given);
    // One warning per ring, however many sessions use it.
    for (const name of new Set(definitions.flatMap((definition) => definition.transforms.flatMap(ktorHmacKeyRings)))) {
      const warning = shortHmacKeyWarning(keyRings.get(name)!);
      if (warning !== undefined) warnSafely(logger, warning, { keyRing: name });
    }
  },
  planMigrations,
  createFormat: createKtorFormat,
};

/** Two Ktor-format sessions on one store would accept each other's raw ids (security.md #55). */
function refuseRawIdSharing(definitions: KtorInstall['definitions'], storages: KtorInstall['storages'], given: KtorInstall['given']): void {
  const sessions = definitions.flatMap(({ name, storage, ktor }) => {
    if (storage === undefined) return [];
    // An instance the app passed is its own store, whatever it is declared as; two names may share one.
    const store = Object.hasOwn(given, storage) ? given[storage] : Object.hasOwn(storages, storage) ? storeOf(storage, storages[storage]!) : storage;
    return [{ name, store, rawIds: ktor !== undefined }];
  });
  const [sharing] = rawIdSharing<unknown>(sessions);
  if (sharing !== undefined) throw new SessionConfigError(`${rawIdSharingProblem(sharing)} in sessions.yaml`);
}
