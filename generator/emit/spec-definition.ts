/**
 * The module-private `spec` constant handed to the runtime: key rings and storages by name, and the
 * provider classes in spec order.
 */
import type { SpecModel, StorageNode } from '../model.js';
import { CodeExpression, literal, type LiteralValue } from './literal.js';
import { StructureKind, VariableDeclarationKind, type VariableStatementStructure } from './print.js';

/**
 * @example
 * emitSpecDefinition(model);
 * // const spec: SpecDefinition = { keys: { main: { env: 'SESSION_KEYS' } }, storages: {...}, providers: [...] };
 */
export function emitSpecDefinition(model: SpecModel): VariableStatementStructure {
  const spec: LiteralValue = {
    keys: Object.fromEntries(model.keyRings.map((ring) => [ring.name, { env: ring.env, encoding: ring.encoding }])),
    storages: Object.fromEntries(model.storages.map((storage) => [storage.name, storageLiteral(storage)])),
    providers: model.sessions.map((session) => new CodeExpression(session.providerName)),
  };
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'spec', type: 'SpecDefinition', initializer: literal(spec) }],
  };
}

function storageLiteral(storage: StorageNode): LiteralValue {
  switch (storage.kind) {
    case 'memory':
      return { kind: 'memory', maxEntries: storage.maxEntries };
    case 'directory':
      return { kind: 'directory', path: storage.path, maxEntries: storage.maxEntries };
    case 'redis':
      return { kind: 'redis', url: { env: storage.urlEnv }, prefix: storage.prefix };
  }
}
