/**
 * Gives `ctx.sessions` its type in every Koa handler of the app, through Koa's own extension point
 * (`DefaultContext`, @types/koa), so apps need no casts or wrapper types.
 */
import type { SpecModel } from '../model.js';
import { ModuleDeclarationKind, StructureKind, type ModuleDeclarationStructure } from './print.js';
import { sessionsType } from './session-map.js';

/**
 * @example
 * emitKoaAugmentation(model); // declare module 'koa' { interface DefaultContext { sessions: Sessions<...> } }
 */
export function emitKoaAugmentation(model: SpecModel): ModuleDeclarationStructure {
  return {
    kind: StructureKind.Module,
    name: "'koa'",
    hasDeclareKeyword: true,
    declarationKind: ModuleDeclarationKind.Module,
    statements: [
      {
        kind: StructureKind.Interface,
        name: 'DefaultContext',
        properties: [{ name: 'sessions', type: sessionsType(model) }],
      },
    ],
  };
}
