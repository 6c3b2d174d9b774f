/**
 * `SessionMap` (accessor name -> payload type) and `ByIdSessionName`, the two type arguments that give
 * `ctx.sessions` its types.
 */
import type { SpecModel } from '../model.js';
import { specFileLabel } from '../generated-header.js';
import {
  docText,
  StructureKind,
  type InterfaceDeclarationStructure,
  type TypeAliasDeclarationStructure,
} from './print.js';
import { propertyName, stringLiteral } from './tokens.js';

/**
 * @example
 * emitSessionMap(model);
 * // interface SessionMap { user: UserSession; cart: CartSession }  type ByIdSessionName = 'cart'
 */
export function emitSessionMap(model: SpecModel): [InterfaceDeclarationStructure, TypeAliasDeclarationStructure] {
  const byId = model.sessions.filter((session) => session.storage !== undefined);
  return [
    {
      kind: StructureKind.Interface,
      name: 'SessionMap',
      isExported: true,
      docs: [docText(`Every session in ${specFileLabel(model.specFileName)}, by accessor name.`)],
      properties: model.sessions.map((session) => ({ name: propertyName(session.name), type: session.typeName })),
    },
    {
      kind: StructureKind.TypeAlias,
      name: 'ByIdSessionName',
      isExported: true,
      docs: ['Sessions tracked by id in a storage: the ones `ctx.sessions.regenerate()` accepts.'],
      type: byId.length === 0 ? 'never' : byId.map((session) => stringLiteral(session.name)).join(' | '),
    },
  ];
}
