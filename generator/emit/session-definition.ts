/**
 * A session's `SessionDefinition` (runtime/definition.ts) as literal data: the session's settings from the
 * model as they are, then what is code or derived: the codec, the self-contained schema, the validator and
 * the flash values' validators.
 * The settings are picked by name in a fixed order rather than spread, so the top-level keys do not depend on
 * how the model was built and no field only the generator reads is printed; nested objects (transport,
 * cookie, expiry, transforms) keep the order normalize builds them in.
 */
import type { SessionSettings } from 'typed-sessions/rules';
import { SessionNode } from '../model.js';
import { flashValidatorName, validatorName, versionTypeName, VALIDATORS_NAMESPACE } from '../names.js';
import { migrationImportKey, type SerializerImport } from './imports.js';
import { runtimeSchema, type JsonSchema, type TypeNode } from '../payload-schema.js';
import { CodeExpression } from './literal.js';

/** A `SessionDefinition` as the generated code writes it, its code fields as expressions to print. */
export interface DefinitionLiteral extends SessionSettings {
  readonly serializer?: CodeExpression;
  readonly schema: JsonSchema;
  readonly validate: CodeExpression;
  readonly flash?: Readonly<Record<string, CodeExpression>>;
  readonly history?: ReadonlyArray<{ readonly version: number; readonly schema: JsonSchema; readonly validate: CodeExpression; readonly migrate: CodeExpression }>;
}

/**
 * @example
 * definitionLiteral(cartSession, model.types, new Map());
 * // { name: 'cart', transport: { kind: 'header', name: 'X-Cart-Session' }, storage: 'mem', transforms: [], ... }
 */
export function definitionLiteral(
  session: SessionNode,
  types: readonly TypeNode[],
  imports: ReadonlyMap<string, SerializerImport>,
): DefinitionLiteral {
  const { name, transport, storage, transforms, insecure, ktor, migrateFrom, load, concurrency, version, index, maxPerUser, summary, revocation, expiry } = session;
  const serializerLocalName = imports.get(name)?.localName;
  return {
    name,
    transport,
    storage,
    transforms,
    insecure,
    ktor,
    migrateFrom,
    load,
    concurrency,
    version,
    index,
    maxPerUser,
    summary,
    revocation,
    expiry,
    serializer: serializerLocalName === undefined ? undefined : new CodeExpression(serializerLocalName),
    schema: runtimeSchema(session.schema, types),
    validate: new CodeExpression(`${VALIDATORS_NAMESPACE}.${validatorName(session.typeName)}`),
    flash:
      session.flash === undefined
        ? undefined
        : Object.fromEntries(Object.keys(session.flash).map((key) => [key, new CodeExpression(`${VALIDATORS_NAMESPACE}.${flashValidatorName(name, key)}`)])),
    history: session.history?.map((old) => ({
      version: old.version,
      schema: runtimeSchema(old.schema, types),
      validate: new CodeExpression(`${VALIDATORS_NAMESPACE}.${validatorName(old.typeName)}`),
      migrate: new CodeExpression(`${imports.get(migrationImportKey(name, old.version))!.localName} satisfies (payload: ${old.typeName}) => ${nextTypeName(session, old.version)}`),
    })),
  };
}

/**
 * The type a migration from `version` returns: the next version's, or the current one's. The
 * `satisfies` the definition writes with it makes a migration of the wrong shape a compile error in the app.
 */
function nextTypeName(session: SessionNode, version: number): string {
  return version + 1 === (session.version ?? 1) ? SessionNode.currentVersionTypeName(session)! : versionTypeName(session.name, version + 1);
}
