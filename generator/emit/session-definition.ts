/**
 * A session's `SessionDefinition` (runtime/definition.ts) as literal data: the session's settings from the
 * model as they are, then what is code or derived: the codec, the self-contained schema, the validator and
 * the flash values' validators.
 * The settings are picked by name in a fixed order rather than spread, so the top-level keys do not depend on
 * how the model was built and no field only the generator reads is printed; nested objects (transport,
 * cookie, expiry, transforms) keep the order normalize builds them in.
 */
import type { SessionSettings } from 'typed-sessions/rules';
import type { SessionNode } from '../model.js';
import { flashValidatorName, validatorName, VALIDATORS_NAMESPACE } from '../names.js';
import { runtimeSchema, type JsonSchema, type TypeNode } from '../payload-schema.js';
import { CodeExpression } from './literal.js';

/** A `SessionDefinition` as the generated code writes it, its code fields as expressions to print. */
export interface DefinitionLiteral extends SessionSettings {
  readonly serializer?: CodeExpression;
  readonly schema: JsonSchema;
  readonly validate: CodeExpression;
  readonly flash?: Readonly<Record<string, CodeExpression>>;
}

/**
 * @example
 * definitionLiteral(cartSession, model.types, undefined);
 * // { name: 'cart', transport: { kind: 'header', name: 'X-Cart-Session' }, storage: 'mem', transforms: [], ... }
 */
export function definitionLiteral(
  session: SessionNode,
  types: readonly TypeNode[],
  serializerLocalName: string | undefined,
): DefinitionLiteral {
  const { name, transport, storage, transforms, insecure, ktor, migrateFrom, load, concurrency, expiry } = session;
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
    expiry,
    serializer: serializerLocalName === undefined ? undefined : new CodeExpression(serializerLocalName),
    schema: runtimeSchema(session.schema, types),
    validate: new CodeExpression(`${VALIDATORS_NAMESPACE}.${validatorName(session.typeName)}`),
    flash:
      session.flash === undefined
        ? undefined
        : Object.fromEntries(Object.keys(session.flash).map((key) => [key, new CodeExpression(`${VALIDATORS_NAMESPACE}.${flashValidatorName(name, key)}`)])),
  };
}
