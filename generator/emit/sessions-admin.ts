/**
 * The admin side's types (docs/spec.md, `index` and `revocation`), for a spec with sessions that have one:
 * per `index:` session its summary type (`<Pascal>SessionSummary`, each `summary:` path's payload type),
 * `SummaryMap` (each `index:` session's summary type by name: the last type argument of `Sessions`, so
 * `ctx.sessions.list()` is typed as the admin's is), and `SessionsAdmin`, by session name, which
 * `installSessions()` returns with the middleware as `.admin`. A spec with neither generates none of it, and
 * `installSessions()` returns a plain `Middleware` as before.
 */
import type { SessionNode, SpecModel } from '../model.js';
import { StructureKind, type InterfaceDeclarationStructure } from './print.js';
import { propertyName, stringLiteral } from './tokens.js';

/** What the runtime's core must also export to the generated file when the spec has an admin side. */
export const ADMIN_TYPE_IMPORTS: readonly string[] = ['RevocationAdmin', 'SessionAdmin', 'SessionsMiddleware'];

/** The sessions with an admin side, in spec order. */
export function adminSessions(model: SpecModel): SessionNode[] {
  return model.sessions.filter((session) => session.index !== undefined || session.revocation !== undefined);
}

/** The sessions with `index:`, in spec order: the ones `SummaryMap` holds. */
export function indexedSessions(model: SpecModel): SessionNode[] {
  return model.sessions.filter((session) => session.index !== undefined);
}

/** `user` -> `UserSessionSummary`. */
export function summaryTypeName(session: SessionNode): string {
  return `${session.typeName}Summary`;
}

/**
 * @example
 * emitSessionsAdmin(model); // [interface AccountSessionSummary, interface SessionsAdmin]
 */
export function emitSessionsAdmin(model: SpecModel): InterfaceDeclarationStructure[] {
  const sessions = adminSessions(model);
  if (sessions.length === 0) return [];
  const indexed = indexedSessions(model);
  return [
    ...indexed.map(
      (session): InterfaceDeclarationStructure => ({
        kind: StructureKind.Interface,
        name: summaryTypeName(session),
        isExported: true,
        docs: [`What \`list()\` shows of each \`${session.name}\` session: its \`summary:\` fields, by dotted path.`],
        properties: (session.summary ?? []).map((path) => ({ name: stringLiteral(path.join('.')), isReadonly: true, type: `${pathType(session.typeName, path)} | undefined` })),
      }),
    ),
    ...(indexed.length === 0
      ? []
      : [
          {
            kind: StructureKind.Interface,
            name: 'SummaryMap',
            isExported: true,
            docs: ['Sessions with `index:`, by accessor name, and what a listing shows of each: the ones `ctx.sessions.list()`, `revoke()` and `revokeOthers()` accept.'],
            properties: indexed.map((session) => ({ name: propertyName(session.name), type: summaryTypeName(session) })),
          } satisfies InterfaceDeclarationStructure,
        ]),
    {
      kind: StructureKind.Interface,
      name: 'SessionsAdmin',
      isExported: true,
      docs: ["The admin side of the sessions with `index:` or `revocation:`, by name: `installSessions().admin`."],
      properties: sessions.map((session) => ({
        name: propertyName(session.name),
        isReadonly: true,
        type: session.index === undefined ? 'RevocationAdmin' : `SessionAdmin<${summaryTypeName(session)}>`,
      })),
    },
  ];
}

/** The payload type at `path`, through optional steps: `NonNullable<NonNullable<UserSession>['a']>['b']`. */
function pathType(typeName: string, path: readonly string[]): string {
  return path.reduce((type, step) => `NonNullable<${type}>[${stringLiteral(step)}]`, typeName);
}
