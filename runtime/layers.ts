import type { SpecLayers } from './definition.js';
import { SessionConfigError } from './errors.js';

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
