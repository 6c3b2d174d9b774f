/**
 * One exported type per `types:` entry and per session payload: an interface when the schema is an
 * object with named properties, a type alias for anything else (maps, unions, `$ref`s, primitives).
 */
import type { SpecModel } from '../model.js';
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
    ...model.sessions.map((session) => typeDeclaration(session.typeName, session.schema)),
  ];
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
