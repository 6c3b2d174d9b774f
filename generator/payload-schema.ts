/**
 * Payload schemas as the spec writes them (docs/spec.md, the payload schema subset), and the schema a session
 * carries at runtime: the payload schema made self-contained for ajv, with every `$ref: '#/types/X'`
 * pointing into its own `$defs` and only the shared types it can reach copied there. Shared by the rules,
 * which judge that schema as the runtime will read it, and the emitters, which write it out.
 */

/** A JSON Schema node from the payload schema subset, as written in the spec. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A `types:` entry: a payload schema shared by name. */
export interface TypeNode {
  /** Name in `types:`; also the exported TypeScript type name. */
  readonly name: string;
  readonly schema: JsonSchema;
}

/** The only `$ref` form in the subset: a shared type under `types:`. */
export const TYPE_REF_PREFIX = '#/types/';

const DEFS_REF_PREFIX = '#/$defs/';

/**
 * @example
 * runtimeSchema({ type: 'array', items: { $ref: '#/types/Item' } }, [{ name: 'Item', schema: { type: 'string' } }]);
 * // { type: 'array', items: { $ref: '#/$defs/Item' }, $defs: { Item: { type: 'string' } } }
 */
export function runtimeSchema(schema: JsonSchema, types: readonly TypeNode[]): JsonSchema {
  const reachable = reachableTypes(schema, types);
  const rewritten = rewriteRefs(schema);
  if (reachable.length === 0) return rewritten;
  return { ...rewritten, $defs: Object.fromEntries(reachable.map((type) => [type.name, rewriteRefs(type.schema)])) };
}

/** The shared types a schema reaches through `$ref` chains, in spec order. */
function reachableTypes(schema: JsonSchema, types: readonly TypeNode[]): TypeNode[] {
  const byName = new Map(types.map((type) => [type.name, type]));
  const seen = new Set<string>();
  const pending = [schema];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const name of refsIn(next)) {
      const type = byName.get(name);
      if (type === undefined || seen.has(name)) continue;
      seen.add(name);
      pending.push(type.schema);
    }
  }
  return types.filter((type) => seen.has(type.name));
}

/** Type names referenced anywhere in a schema. */
function refsIn(schema: JsonSchema): string[] {
  const ref = schema['$ref'];
  const own = typeof ref === 'string' && ref.startsWith(TYPE_REF_PREFIX) ? [ref.slice(TYPE_REF_PREFIX.length)] : [];
  const children: JsonSchema[] = [];
  mapSubschemas(schema, (child) => (children.push(child), child));
  return [...own, ...children.flatMap(refsIn)];
}

function rewriteRefs(schema: JsonSchema): JsonSchema {
  const mapped = mapSubschemas(schema, rewriteRefs);
  const ref = mapped['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith(TYPE_REF_PREFIX)) return mapped;
  return { ...mapped, $ref: DEFS_REF_PREFIX + ref.slice(TYPE_REF_PREFIX.length) };
}

/**
 * Where the subset nests schemas, by keyword. Only these are walked: a `$ref` key elsewhere (a property
 * named `$ref`, or inside a `const` value) is data, not a reference.
 */
const SUBSCHEMA_KEYWORDS: Readonly<Record<string, 'schema' | 'list' | 'byName'>> = {
  properties: 'byName',
  additionalProperties: 'schema',
  items: 'schema',
  oneOf: 'list',
  anyOf: 'list',
};

/** A copy of `schema` with `map` applied to each direct subschema; keywords keep their order. */
function mapSubschemas(schema: JsonSchema, map: (child: JsonSchema) => JsonSchema): JsonSchema {
  const mapValue = (value: unknown): unknown => (isSchemaObject(value) ? map(value) : value);
  return Object.fromEntries(
    Object.entries(schema).map(([keyword, value]) => {
      const nesting = Object.hasOwn(SUBSCHEMA_KEYWORDS, keyword) ? SUBSCHEMA_KEYWORDS[keyword] : undefined;
      if (nesting === 'schema') return [keyword, mapValue(value)];
      if (nesting === 'list' && Array.isArray(value)) return [keyword, value.map(mapValue)];
      if (nesting === 'byName' && isSchemaObject(value)) {
        return [keyword, Object.fromEntries(Object.entries(value).map(([name, child]) => [name, mapValue(child)]))];
      }
      return [keyword, value];
    }),
  );
}

function isSchemaObject(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
