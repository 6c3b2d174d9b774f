/**
 * Gives `ctx.sessions` its type in every Koa handler of the app, through Koa's own extension point
 * (`DefaultContext`, @types/koa), so apps need no casts or wrapper types.
 */
import { ModuleDeclarationKind, StructureKind, type ModuleDeclarationStructure } from './print.js';

/**
 * @example
 * emitKoaAugmentation(); // declare module 'koa' { interface DefaultContext { sessions: Sessions<...> } }
 */
export function emitKoaAugmentation(): ModuleDeclarationStructure {
  return {
    kind: StructureKind.Module,
    name: "'koa'",
    hasDeclareKeyword: true,
    declarationKind: ModuleDeclarationKind.Module,
    statements: [
      {
        kind: StructureKind.Interface,
        name: 'DefaultContext',
        properties: [{ name: 'sessions', type: 'Sessions<SessionMap, ByIdSessionName>' }],
      },
    ],
  };
}
