/**
 * One exported type per `types:` entry and per session payload: an interface when the schema is an
 * object with named properties, a type alias for anything else (maps, unions, `$ref`s, primitives). A
 * session that declares flash values also gets their interface, key -> value type (`UserFlash`).
 */
import { SessionNode, type SpecModel } from '../model.js';
import { flashTypeName } from '../names.js';
import type { JsonSchema } from '../payload-schema.js';
import { StructureKind, type InterfaceDeclarationStructure, type TypeAliasDeclarationStructure } from './print.js';
import { docsOf, interfaceMembers, schemaToType } from './schema-to-type.js';
import { identifier } from './tokens.js';

/**
 * @example
 * emitPayloadTypes(model); // [interface CartItem, interface UserSession, interface CartSession]
 */
export function emitPayloadTypes(
  model: SpecModel,
): Array<InterfaceDeclarationStructure | TypeAliasDeclarationStructure> {
  return [
    ...model.types.map((type) => typeDeclaration(type.name, type.schema)),
    ...model.sessions.flatMap((session) => [typeDeclaration(session.typeName, session.schema), ...versionTypes(session)]),
    ...model.sessions.flatMap((session) =>
      session.flash === undefined ? [] : [typeDeclaration(flashTypeName(session.name), flashSchema(session.name, session.flash))],
    ),
  ];
}

/**
 * A versioned session's types per version: the current one as an alias of its payload type, each older one
 * from its schema, what its migration takes.
 */
function versionTypes(session: SessionNode): Array<InterfaceDeclarationStructure | TypeAliasDeclarationStructure> {
  const current = SessionNode.currentVersionTypeName(session);
  if (current === undefined) return [];
  const version = session.version ?? 1;
  return [
    ...(session.history ?? []).map((old) =>
      typeDeclaration(old.typeName, { description: `\`${session.name}\` as written under payload version ${old.version} (history: in the spec).`, ...old.schema }),
    ),
    {
      kind: StructureKind.TypeAlias,
      name: identifier(current, 'type name'),
      isExported: true,
      docs: [`\`${session.name}\` under its current payload version, ${version}.`],
      type: session.typeName,
    },
  ];
}

/** The flash values as one closed object schema, every key present, so its type maps key -> value type. */
function flashSchema(session: string, flash: Readonly<Record<string, JsonSchema>>): JsonSchema {
  const description = `The flash values of \`${session}\`, by key: \`ctx.sessions.flash('${session}', key, value)\` and \`flashed('${session}', key)\`.`;
  return { description, type: 'object', properties: flash, required: Object.keys(flash), additionalProperties: false };
}

function typeDeclaration(
  typeName: string,
  schema: JsonSchema,
): InterfaceDeclarationStructure | TypeAliasDeclarationStructure {
  const name = identifier(typeName, 'type name');
  const docs = docsOf(schema);
  const members = interfaceMembers(schema);
  if (members === undefined) {
    return { kind: StructureKind.TypeAlias, name, isExported: true, docs, type: schemaToType(schema) };
  }
  return {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs,
    properties: members.filter((member) => member.kind === StructureKind.PropertySignature),
    indexSignatures: members.filter((member) => member.kind === StructureKind.IndexSignature),
  };
}
