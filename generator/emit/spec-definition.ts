/**
 * The module-private `spec` constant handed to the runtime: the format of the generated code, the model's
 * key rings and storages as they are, the provider classes in spec order, and the optional layers the spec uses.
 */
import { GENERATED_FORMAT } from 'typed-sessions/rules';
import type { SpecModel } from '../model.js';
import { LAYER_IMPORTS } from '../names.js';
import type { LayerKey } from './layers.js';
import { CodeExpression, literal } from './literal.js';
import { StructureKind, VariableDeclarationKind, type VariableStatementStructure } from './print.js';

/**
 * @example
 * emitSpecDefinition(model, ['redis']);
 * // const spec: SpecDefinition = { format: 1, keys: { main: { env: 'SESSION_KEYS' } }, storages: {...}, providers: [...],
 * //   layers: { redis: buildRedisStorage } };
 */
export function emitSpecDefinition(model: SpecModel, layers: readonly LayerKey[]): VariableStatementStructure {
  const spec = {
    // The generator's own format, as a number: the runtime compares it with the one it reads.
    format: GENERATED_FORMAT,
    keys: model.keys,
    storages: model.storages,
    providers: model.sessions.map((session) => new CodeExpression(session.providerName)),
    layers: layers.length === 0 ? undefined : Object.fromEntries(layers.map((layer) => [layer, new CodeExpression(LAYER_IMPORTS[layer].exportName)])),
  };
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'spec', type: 'SpecDefinition', initializer: literal(spec) }],
  };
}
