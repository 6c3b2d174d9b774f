/**
 * Which of the runtime's optional layers a spec uses: the generated file imports those, and only those,
 * and hands them to the runtime as `spec.layers`, so an app loads no layer its spec does not use.
 */
import type { SpecModel, StorageNode } from '../model.js';
import { LAYER_IMPORTS } from '../names.js';

export type LayerKey = keyof typeof LAYER_IMPORTS;

/** Whether the spec uses each layer; a storage counts when a session is tracked by id in it. */
const USED_BY: Readonly<Record<LayerKey, (model: SpecModel) => boolean>> = {
  redis: (model) => usesStorageKind(model, 'redis'),
  directory: (model) => usesStorageKind(model, 'directory'),
  ktor: (model) => model.sessions.some((session) => session.serializer.kind === 'ktor-json' || session.serializer.kind === 'ktor-reflection'),
};

/**
 * The layers `model` uses, in the fixed order of `LAYER_IMPORTS`.
 *
 * @example
 * usedLayers(modelWithARedisStorage); // ['redis']
 */
export function usedLayers(model: SpecModel): LayerKey[] {
  return (Object.keys(LAYER_IMPORTS) as LayerKey[]).filter((layer) => USED_BY[layer](model));
}

function usesStorageKind(model: SpecModel, kind: StorageNode['kind']): boolean {
  const names = new Set(model.storages.filter((storage) => storage.kind === kind).map((storage) => storage.name));
  return model.sessions.some((session) => session.storage !== undefined && names.has(session.storage));
}
