/**
 * The payload schema subset (docs/spec.md) -> TypeScript type text. Value keywords (`minLength`,
 * `pattern`, `format`, ...) narrow values, not types, so they do not show here; ajv checks them at runtime.
 * Every type is read-only at every depth: a payload read from `ctx.sessions` is the session's state, and a
 * change made in place would never be written (the app changes it with `set` or `update`).
 */
import { TYPE_REF_PREFIX, type JsonSchema } from '../payload-schema.js';
import { literal } from './literal.js';
import { docText, printObjectType, StructureKind, type TypeMember } from './print.js';
import { isIdentifier, propertyName } from './tokens.js';
import { UnsupportedSchemaError } from './unsupported-schema-error.js';

/**
 * The TypeScript type a schema describes.
 *
 * @example
 * schemaToType({ type: ['string', 'null'] });                 // 'string | null'
 * schemaToType({ type: 'array', items: { enum: ['a', 'b'] } }); // "ReadonlyArray<'a' | 'b'>"
 */
export function schemaToType(schema: JsonSchema): string {
  return typeOf(schema).text;
}

/**
 * The members of an object schema that reads best as an interface (it has named properties), or
 * `undefined` for any other schema, which becomes a type alias instead.
 *
 * @example
 * interfaceMembers({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
 * // [{ kind: PropertySignature, name: 'id', type: 'string', isReadonly: true, hasQuestionToken: false, docs: [] }]
 */
export function interfaceMembers(schema: JsonSchema): TypeMember[] | undefined {
  const isPlainObject =
    schema['type'] === 'object' &&
    !('$ref' in schema || 'const' in schema || 'enum' in schema || unionBranches(schema));
  if (!isPlainObject || Object.keys(properties(schema)).length === 0) return undefined;
  return objectMembers(schema);
}

/**
 * Type text, with enough structure to combine it correctly: union members are kept apart so unions
 * flatten and repeat members drop out, and compound types get brackets where precedence needs them.
 */
type TypeText =
  | { readonly kind: 'single'; readonly text: string }
  | { readonly kind: 'union'; readonly text: string; readonly members: readonly TypeText[] }
  | { readonly kind: 'intersection'; readonly text: string };

const single = (text: string): TypeText => ({ kind: 'single', text });
const UNKNOWN = single('unknown');

const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  null: 'null',
};

function typeOf(schema: JsonSchema): TypeText {
  const branches = unionBranches(schema);
  if (branches) {
    const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
    return intersection([typeOf(rest), union(branches.map(typeOf))]);
  }
  if ('$ref' in schema) return single(refName(schema['$ref']));
  if ('const' in schema) return single(literal(schema['const']));
  if (Array.isArray(schema['enum']))
    return union(schema['enum'].map((value) => single(literal(value))));
  const type = schema['type'];
  if (Array.isArray(type)) return union(type.map((single) => singleTypeOf(schema, single)));
  return type === undefined ? UNKNOWN : singleTypeOf(schema, type);
}

function singleTypeOf(schema: JsonSchema, type: unknown): TypeText {
  if (type === 'array') return arrayOf(schema['items']);
  if (type === 'object') return objectTypeOf(schema);
  const primitive = typeof type === 'string' ? PRIMITIVES[type] : undefined;
  if (primitive === undefined) throw new UnsupportedSchemaError(`type ${JSON.stringify(type)}`);
  return single(primitive);
}

function arrayOf(items: unknown): TypeText {
  const element = items === undefined ? UNKNOWN : typeOf(asSchema(items, 'items'));
  // `readonly T[]` reads best, but neither nests (`readonly readonly T[][]`) nor takes a union unbracketed.
  const plain = element.kind === 'single' && !element.text.startsWith('readonly ');
  return single(plain ? `readonly ${element.text}[]` : `ReadonlyArray<${element.text}>`);
}

function objectTypeOf(schema: JsonSchema): TypeText {
  const extra = schema['additionalProperties'];
  if (Object.keys(properties(schema)).length > 0) return single(printObjectType(objectMembers(schema)));
  if (extra === false) return single('Record<string, never>');
  return single(`Readonly<Record<string, ${additionalType(extra).text}>>`);
}

function objectMembers(schema: JsonSchema): TypeMember[] {
  const required = new Set(Array.isArray(schema['required']) ? schema['required'] : []);
  const named = Object.entries(properties(schema)).map(([name, property]) => {
    const propertySchema = asSchema(property, `property "${name}"`);
    return { name, schema: propertySchema, type: typeOf(propertySchema) };
  });
  const members: TypeMember[] = named.map((property) => ({
    kind: StructureKind.PropertySignature,
    name: propertyName(property.name),
    type: property.type.text,
    isReadonly: true,
    hasQuestionToken: !required.has(property.name),
    docs: docsOf(property.schema),
  }));
  const extra = schema['additionalProperties'];
  if (extra === undefined || extra === false) return members;
  // TypeScript requires every named property to fit the index signature, so the signature takes all of
  // them, and `undefined` too when one is optional (TS2411 otherwise).
  const optional = named.some((property) => !required.has(property.name)) ? [single('undefined')] : [];
  const indexType = union([additionalType(extra), ...named.map((property) => property.type), ...optional]);
  return [
    { kind: StructureKind.IndexSignature, keyName: 'key', keyType: 'string', returnType: indexType.text, isReadonly: true },
    ...members,
  ];
}

/**
 * JSDoc for a declaration or property from the schema's `title` and `description`.
 *
 * @example
 * docsOf({ title: 'User', description: 'The signed-in user.' }); // ['User\n\nThe signed-in user.']
 */
export function docsOf(schema: JsonSchema): string[] {
  const parts = [schema['title'], schema['description']]
    .filter((text): text is string => typeof text === 'string')
    .map((text) => text.trim())
    .filter((text) => text !== '');
  return parts.length === 0 ? [] : [docText(parts.join('\n\n'))];
}

function additionalType(extra: unknown): TypeText {
  return extra === true || extra === undefined ? UNKNOWN : typeOf(asSchema(extra, 'additionalProperties'));
}

function properties(schema: JsonSchema): JsonSchema {
  const value = schema['properties'];
  return value === undefined ? {} : asSchema(value, 'properties');
}

function unionBranches(schema: JsonSchema): JsonSchema[] | undefined {
  const branches = schema['oneOf'] ?? schema['anyOf'];
  if (branches === undefined) return undefined;
  if (!Array.isArray(branches)) throw new UnsupportedSchemaError('oneOf/anyOf that is not a list');
  return branches.map((branch, index) => asSchema(branch, `oneOf/anyOf branch ${index}`));
}

// The name after the prefix is printed as a type reference, so it must be an identifier (security.md #60).
function refName(ref: unknown): string {
  const name = typeof ref === 'string' && ref.startsWith(TYPE_REF_PREFIX) ? ref.slice(TYPE_REF_PREFIX.length) : '';
  if (!isIdentifier(name)) throw new UnsupportedSchemaError(`$ref ${JSON.stringify(ref)}`);
  return name;
}

function asSchema(value: unknown, where: string): JsonSchema {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UnsupportedSchemaError(`${where}: ${JSON.stringify(value)} is not a schema object`);
  }
  return value as JsonSchema;
}

function union(parts: readonly TypeText[]): TypeText {
  const byText = new Map<string, TypeText>();
  for (const member of parts.flatMap((part) => (part.kind === 'union' ? part.members : [part]))) {
    if (!byText.has(member.text)) byText.set(member.text, member);
  }
  const members = [...byText.values()];
  if (byText.has(UNKNOWN.text)) return UNKNOWN;
  if (members.length === 0) return single('never');
  if (members.length === 1) return members[0]!;
  return { kind: 'union', text: members.map((member) => member.text).join(' | '), members };
}

function intersection(parts: readonly TypeText[]): TypeText {
  const known = parts.filter((part) => part.text !== UNKNOWN.text);
  if (known.length <= 1) return known[0] ?? UNKNOWN;
  const text = known.map((part) => (part.kind === 'union' ? `(${part.text})` : part.text)).join(' & ');
  return { kind: 'intersection', text };
}
