/**
 * Paths into a session's payload, as the per-user settings name them (`index: user.id`), judged against the
 * payload's JSON Schema as a definition carries it: self-contained, its `$ref`s pointing into its own
 * `$defs` (the generator builds the same schema from the spec, generator/payload-schema.ts). One walk for
 * `typed-sessions validate` and `installSessions()`, so the two refuse the same paths (security.md #65).
 */

type Schema = { readonly [keyword: string]: unknown };

/** A path's end: the schema of the field it names, or why the schema cannot hold such a field. */
export type PathEnd =
  | {
      readonly kind: 'found';
      readonly schema: Schema;
      /** Why a valid payload may lack the field (a field on the way not required, or nullable); absent: every payload holds it. */
      readonly optional?: string;
    }
  | { readonly kind: 'blocked'; readonly reason: string };

/** A payload schema a path is judged against, and how a problem names it: `the current schema`. */
export interface PayloadSchemaAt {
  readonly name: string;
  readonly schema: object;
  /** An older version's, kept in `history:`: payloads written under it cannot be changed, only dropped with it. */
  readonly older?: boolean;
}

/** What a setting needs of the field it names: any declared field, or a string every payload holds. */
export type PathNeed = 'field' | 'requiredString';

const DEFS_REF = /^#\/\$defs\/([^/]+)$/;

/**
 * Follows `path` field by field from the payload's root. It goes only through declared `properties`: a list's
 * items, a map's values and a union's branches are data a path cannot name ahead of time.
 *
 * @example
 * walkPayloadPath({ type: 'object', properties: { user: { $ref: '#/$defs/User' } }, required: ['user'], additionalProperties: false, $defs: { User: ... } }, ['user', 'id']);
 * // { kind: 'found', schema: { type: 'string' } }
 */
export function walkPayloadPath(root: object, path: readonly string[]): PathEnd {
  const payload = root as Schema;
  let node: Schema | string = resolveRefs(payload, payload, 'the payload');
  let optional: string | undefined;
  for (const [depth, field] of path.entries()) {
    if (typeof node === 'string') return { kind: 'blocked', reason: node };
    const where = depth === 0 ? 'the payload' : path.slice(0, depth).join('.');
    const noFields = whyNoFields(node, where);
    if (noFields !== undefined) return { kind: 'blocked', reason: noFields };
    const properties = isSchema(node.properties) ? node.properties : {};
    if (!Object.hasOwn(properties, field) || !isSchema(properties[field])) {
      return {
        kind: 'blocked',
        reason: isSchema(node.additionalProperties)
          ? `${where} is a map (additionalProperties), whose keys are data, not declared fields`
          : `${where} has no field "${field}" (it declares ${Object.keys(properties).join(', ') || 'none'})`,
      };
    }
    const required = Array.isArray(node.required) ? (node.required as unknown[]) : [];
    if (typeNames(node).includes('null')) optional ??= `${where} may be null`;
    if (!required.includes(field)) optional ??= `${field} is not in ${depth === 0 ? "the payload's" : `${where}'s`} required:`;
    node = resolveRefs(payload, properties[field], path.slice(0, depth + 1).join('.'));
  }
  if (typeof node === 'string') return { kind: 'blocked', reason: node };
  return optional === undefined ? { kind: 'found', schema: node } : { kind: 'found', schema: node, optional };
}

/**
 * Why `path` cannot serve `setting` in one of `schemas` (the first that fails), in words that follow
 * "<where>: ", or `undefined` when it can in all of them.
 *
 * @example
 * payloadPathProblem('index', ['userId'], 'requiredString', [{ name: 'the current schema', schema: { type: 'object', properties: { userId: { type: 'string' } }, additionalProperties: false } }]);
 * // "index names userId, which is optional in the current schema (userId is not in the payload's required:); ..."
 */
export function payloadPathProblem(setting: string, path: readonly string[], need: PathNeed, schemas: readonly PayloadSchemaAt[]): string | undefined {
  const wanted = need === 'field' ? 'a field of the payload' : 'a required string field of the payload, like userId';
  if (path.length === 0 || path.some((field) => typeof field !== 'string' || field === '')) {
    return `${setting} must name ${wanted}, its path as field names joined by dots (user.id)`;
  }
  const dotted = path.join('.');
  for (const { name, schema, older } of schemas) {
    const end = walkPayloadPath(schema, path);
    if (end.kind === 'blocked') return `${setting} names ${dotted}, which ${name} cannot hold: ${end.reason}; name ${wanted}, outside lists, maps and unions`;
    if (need === 'field') continue;
    // An older version's payloads are written already: what fixes the spec is leaving that version behind.
    const fix = older === true ? '; every session must hold it, so name a field that version holds, or drop the version from history: (its sessions end)' : undefined;
    if (end.optional !== undefined) {
      return `${setting} names ${dotted}, which is optional in ${name} (${end.optional})${fix ?? '; every session must hold it, so make it and each field on the way required and not null'}`;
    }
    if (end.schema.type !== 'string') {
      return `${setting} names ${dotted}, which is ${describeType(end.schema)} in ${name}${fix ?? '; it must be a string (type: string), like a user id'}`;
    }
  }
  return undefined;
}

/** The schema a `$ref` chain ends at, or why it ends nowhere. */
function resolveRefs(root: Schema, value: unknown, where: string): Schema | string {
  const seen = new Set<string>();
  let node = value as Schema;
  while (typeof node.$ref === 'string') {
    const name = DEFS_REF.exec(node.$ref)?.[1];
    const defs = isSchema(root.$defs) ? root.$defs : {};
    const target = name === undefined || seen.has(name) || !Object.hasOwn(defs, name) ? undefined : defs[name];
    if (!isSchema(target)) return `${where} is a $ref to "${node.$ref}", which the payload's schema does not define`;
    seen.add(name!);
    node = target;
  }
  return node;
}

/** Why a schema has no fields a path can go on into, or `undefined` when it is an object with properties. */
function whyNoFields(schema: Schema, where: string): string | undefined {
  const union = (['oneOf', 'anyOf'] as const).find((keyword) => Object.hasOwn(schema, keyword));
  if (union !== undefined) return `${where} is a union (${union}), and a path cannot choose one of its branches`;
  const types = typeNames(schema);
  if (types.includes('array')) return `${where} is a list (type: array), and a path cannot pick one of its items`;
  if (!types.includes('object')) return `${where} is ${describeType(schema)}, which has no fields`;
  return undefined;
}

function typeNames(schema: Schema): unknown[] {
  return Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
}

/** A field's schema in a few words: `type: integer`, `type: [string, null]`, an enum. */
function describeType(schema: Schema): string {
  if (typeof schema.type === 'string') return `type: ${schema.type}`;
  if (Array.isArray(schema.type)) return `type: [${schema.type.join(', ')}]`;
  if (Object.hasOwn(schema, 'enum')) return 'an enum';
  if (Object.hasOwn(schema, 'const')) return 'a const';
  return 'a schema without a type';
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
