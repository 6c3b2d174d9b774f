/**
 * `SessionMap` (accessor name -> payload type), `ByIdSessionName`, `CookieSessionName` and, when a session
 * declares flash values, `FlashMap` (accessor name -> flash value type): the type arguments that give
 * `ctx.sessions` its types.
 */
import type { SessionNode, SpecModel } from '../model.js';
import { specFileLabel } from '../generated-header.js';
import { flashTypeName } from '../names.js';
import { indexedSessions } from './sessions-admin.js';
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
 * // interface SessionMap { user: UserSession; cart: CartSession }  type ByIdSessionName = 'cart'  type CookieSessionName = 'user'
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
      type: unionOf(byId.map((session) => session.name)),
    },
    {
      kind: StructureKind.TypeAlias,
      name: 'CookieSessionName',
      isExported: true,
      docs: ["Sessions in a cookie of this library's format: the ones `ctx.sessions.set()` takes cookie options for."],
      type: unionOf(cookieOptionSessions(model).map((session) => session.name)),
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

/**
 * The type of `ctx.sessions`: its type arguments up to the last one the spec uses, the place of one it does
 * not use held by what that argument defaults to (`Record<never, never>` for no flash values, `never` for no
 * cookie sessions) before a later one.
 *
 * @example
 * sessionsType(demoModel); // 'Sessions<SessionMap, ByIdSessionName, FlashMap, CookieSessionName, SummaryMap>'
 */
export function sessionsType(model: SpecModel): string {
  const places: readonly (readonly [used: boolean, name: string, unused: string])[] = [
    [model.sessions.some((session) => session.flash !== undefined), 'FlashMap', 'Record<never, never>'],
    [cookieOptionSessions(model).length > 0, 'CookieSessionName', 'never'],
    [indexedSessions(model).length > 0, 'SummaryMap', 'Record<never, never>'],
  ];
  const last = places.map(([used]) => used).lastIndexOf(true);
  const optional = places.slice(0, last + 1).map(([used, name, unused]) => (used ? name : unused));
  return `Sessions<${['SessionMap', 'ByIdSessionName', ...optional].join(', ')}>`;
}

/** Cookie sessions not in Ktor's format, which has no envelope to keep cookie options in (runtime/session-pipeline.ts `choose`). */
function cookieOptionSessions(model: SpecModel): readonly SessionNode[] {
  return model.sessions.filter((session) => session.transport.kind === 'cookie' && session.ktor === undefined);
}

/** `'a' | 'b'`, or `never` for no names. */
function unionOf(names: readonly string[]): string {
  return names.length === 0 ? 'never' : names.map(stringLiteral).join(' | ');
}
