/**
 * `SessionMap` (accessor name -> payload type), `ByIdSessionName` and, when a session declares flash
 * values, `FlashMap` (accessor name -> flash value type): the type arguments that give `ctx.sessions` its types.
 */
import type { SpecModel } from '../model.js';
import { specFileLabel } from '../generated-header.js';
import { flashTypeName } from '../names.js';
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
export function emitSessionMap(model: SpecModel): Array<InterfaceDeclarationStructure | TypeAliasDeclarationStructure> {
  const byId = model.sessions.filter((session) => session.storage !== undefined);
  const flashed = model.sessions.filter((session) => session.flash !== undefined);
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
    // Only when used, so a spec without flash values generates what it did before they existed.
    ...(flashed.length === 0
      ? []
      : [
          {
            kind: StructureKind.Interface,
            name: 'FlashMap',
            isExported: true,
            docs: ['Sessions that declare flash values, by accessor name: the ones `ctx.sessions.flash()` and `flashed()` accept.'],
            properties: flashed.map((session) => ({ name: propertyName(session.name), type: flashTypeName(session.name) })),
          } satisfies InterfaceDeclarationStructure,
        ]),
  ];
}

/** The type of `ctx.sessions`. */
export function sessionsType(model: SpecModel): string {
  return model.sessions.some((session) => session.flash !== undefined) ? 'Sessions<SessionMap, ByIdSessionName, FlashMap>' : 'Sessions<SessionMap, ByIdSessionName>';
}
