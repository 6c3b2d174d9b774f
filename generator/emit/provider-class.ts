/**
 * One provider class per session: the carrier of the session's definition as a static field, from which
 * `installSessions()` builds the session's pipeline. No constructor: the class is never instantiated.
 */
import type { SessionNode } from '../model.js';
import { docText, StructureKind, type ClassDeclarationStructure } from './print.js';
import { identifier } from './tokens.js';

/**
 * @example
 * emitProviderClass(userSession, literal(definitionLiteral(userSession, types, undefined)));
 * // export class UserSessionProvider extends SessionProvider<UserSession> { static readonly definition ... }
 */
export function emitProviderClass(session: SessionNode, definitionText: string): ClassDeclarationStructure {
  return {
    kind: StructureKind.Class,
    name: identifier(session.providerName, 'class name'),
    isExported: true,
    docs: [docText(providerSummary(session))],
    extends: `SessionProvider<${session.typeName}>`,
    properties: [
      {
        name: 'definition',
        isStatic: true,
        isReadonly: true,
        type: `SessionDefinition<${session.typeName}>`,
        initializer: definitionText,
      },
    ],
  };
}

/** `user`: cookie USER_SESSION, by value, encrypt(main). */
function providerSummary(session: SessionNode): string {
  const tracking = session.storage === undefined ? 'by value' : `by id in storage \`${session.storage}\``;
  const parts = [
    `${session.transport.kind} ${session.transport.name}`,
    ...(session.transport.kind === 'cookie' && session.transport.cookie.chunked === true ? ['chunked'] : []),
    tracking,
    ...session.transforms.map((transform) =>
      transform.kind === 'ktor-encrypt' ? `${transform.kind}(${transform.keys}, ${transform.signKeys})` : `${transform.kind}(${transform.keys})`,
    ),
    ...(session.insecure ? ['insecure'] : []),
    ...(session.serializer === undefined ? [] : [`serializer ${session.serializer.export}`]),
    ...(session.ktor === undefined ? [] : [`serializer ktor-${session.ktor.serializer}`]),
    ...(session.migrateFrom === undefined ? [] : [`migrates from \`${session.migrateFrom.session}\``]),
    ...(session.migrateFrom?.trustUnauthenticatedIv ? ['trusting its unauthenticated IV'] : []),
  ];
  return `\`${session.name}\`: ${parts.join(', ')}.`;
}
