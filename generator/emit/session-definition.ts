/**
 * A session's `SessionDefinition` (runtime/definition.ts) as literal data. Keys are written in a fixed
 * order here rather than copied from the model, so the output does not depend on how the model was built.
 */
import type { CookieNode, MigrationNode, SerializerNode, SessionNode, TransformNode, TypeNode } from '../model.js';
import { validatorName, VALIDATORS_NAMESPACE } from '../names.js';
import { CodeExpression, type LiteralValue } from './literal.js';
import { runtimeSchema } from './runtime-schema.js';

/**
 * @example
 * definitionLiteral(cartSession, model.types, undefined);
 * // { name: 'cart', transport: { kind: 'header', name: 'X-Cart-Session' }, storage: 'mem', transforms: [], ... }
 */
export function definitionLiteral(
  session: SessionNode,
  types: readonly TypeNode[],
  serializerLocalName: string | undefined,
): LiteralValue {
  return {
    name: session.key,
    transport: transportLiteral(session),
    storage: session.storage,
    transforms: session.transforms.map(transformLiteral),
    insecure: session.insecure ? true : undefined,
    ktor: ktorLiteral(session.serializer),
    migrateFrom: migrationLiteral(session.migrateFrom),
    expiry: { maxAge: session.expiry.maxAge, idle: session.expiry.idle, rolling: session.expiry.rolling },
    serializer: serializerLocalName === undefined ? undefined : new CodeExpression(serializerLocalName),
    // The spec was parsed from YAML into plain JSON data, which is literal data as it stands.
    schema: runtimeSchema(session.schema, types) as LiteralValue,
    validate: new CodeExpression(`${VALIDATORS_NAMESPACE}.${validatorName(session.typeName)}`),
  };
}

function transformLiteral(transform: TransformNode): LiteralValue {
  switch (transform.kind) {
    case 'ktor-sign':
      return { kind: transform.kind, keys: transform.keyRing, algorithm: transform.algorithm };
    case 'ktor-encrypt':
      return { kind: transform.kind, keys: transform.keyRing, signKeys: transform.signKeyRing, legacyMac: transform.legacyMac };
    default:
      return { kind: transform.kind, keys: transform.keyRing };
  }
}

/** Written only when set, so specs without the opt-in generate what they did before it existed. */
function migrationLiteral(migration: MigrationNode | undefined): LiteralValue {
  if (migration === undefined) return undefined;
  const { session, keepSource, trustUnauthenticatedIv } = migration;
  return { session, keepSource, trustUnauthenticatedIv: trustUnauthenticatedIv ? true : undefined };
}

/** Ktor's wire format: `{ serializer: 'json' }` for `serializer: ktor-json`; nothing for a native session. */
function ktorLiteral(serializer: SerializerNode): LiteralValue {
  if (serializer.kind === 'ktor-json') return { serializer: 'json' };
  return serializer.kind === 'ktor-reflection' ? { serializer: 'reflection' } : undefined;
}

function transportLiteral(session: SessionNode): LiteralValue {
  if (session.transport === 'header') return { kind: 'header', name: session.wireName };
  if (session.cookie === undefined) {
    throw new TypeError(`session "${session.key}" uses cookie transport but its model has no cookie settings`);
  }
  return { kind: 'cookie', name: session.wireName, cookie: cookieLiteral(session.cookie) };
}

function cookieLiteral(cookie: CookieNode): LiteralValue {
  return {
    path: cookie.path,
    domain: cookie.domain,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    partitioned: cookie.partitioned,
    priority: cookie.priority,
  };
}
