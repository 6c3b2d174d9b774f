/**
 * Which of the runtime's optional layers a spec uses: the generated file imports those, and only those,
 * and hands them to the runtime as `spec.layers`, so an app loads no layer its spec does not use.
 */
import type { StorageDefinition } from 'typed-sessions/rules';
import type { SpecModel } from '../model.js';
import { LAYER_IMPORTS } from '../names.js';

export type LayerKey = keyof typeof LAYER_IMPORTS;

/** Whether the spec uses each layer; a storage counts when a session is tracked by id in it. */
const USED_BY: Readonly<Record<LayerKey, (model: SpecModel) => boolean>> = {
  redis: (model) => usesStorageKind(model, 'redis'),
  directory: (model) => usesStorageKind(model, 'directory'),
  ktor: (model) => model.sessions.some((session) => session.ktor !== undefined),
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

function usesStorageKind(model: SpecModel, kind: StorageDefinition['kind']): boolean {
  return model.sessions.some((session) => session.storage !== undefined && model.storages[session.storage]?.kind === kind);
}
