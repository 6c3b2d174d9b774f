/**
 * What Ktor's serializers need to know about a payload that JSON values alone do not say: the order in which
 * the Kotlin class declares its properties, whether a number is an `Int`, a `Long` or a `Double`, whether a
 * list is a `Set`, and which properties are nullable. It is read from the session's JSON Schema (the runtime
 * form, whose `$ref`s point into its own `$defs`), one node at a time and cached, so recursive types work.
 */

export type ShapeKind = 'object' | 'map' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'union';

export interface Shape {
  readonly kind: ShapeKind;
  /** `null` is also allowed (`type: [X, "null"]`, or `null` among string `enum` values). */
  readonly nullable: boolean;
  /** `object`: declared properties, in declaration order (the Kotlin constructor's order). */
  readonly properties: readonly (readonly [string, object])[];
  /** `object`: required property names. */
  readonly required: ReadonlySet<string>;
  /** `object` with `additionalProperties: false`: no undeclared property is valid. */
  readonly closed: boolean;
  /** `map`, or an `object` that also takes undeclared keys: the schema of the values. */
  readonly values?: object;
  /** `array`: the schema of the items. */
  readonly items?: object;
  /** `array` with `uniqueItems: true`: a Kotlin `Set`. */
  readonly unique: boolean;
  /** `integer` with `format: int64`: a Kotlin `Long` (`Int` otherwise). */
  readonly long: boolean;
}

type SchemaNode = Readonly<Record<string, unknown>>;

const TYPE_NAMES: ReadonlySet<string> = new Set(['object', 'string', 'integer', 'number', 'boolean', 'null', 'array']);

/**
 * Reads shapes out of one session's schema.
 *
 * @example
 * const shapes = new PayloadShapes(definition.schema);
 * shapes.of(definition.schema).properties.map(([name]) => name); // ['userId', 'cart']
 */
export class PayloadShapes {
  readonly #cache = new WeakMap<object, Shape>();
  readonly #defs: SchemaNode;

  constructor(readonly root: object) {
    this.#defs = asNode((root as SchemaNode)['$defs']) ?? {};
  }

  of(schema: object): Shape {
    let shape = this.#cache.get(schema);
    if (shape === undefined) {
      shape = this.#describe(this.#resolve(schema as SchemaNode));
      this.#cache.set(schema, shape);
    }
    return shape;
  }

  #resolve(schema: SchemaNode): SchemaNode {
    let node = schema;
    for (let hops = 0; typeof node['$ref'] === 'string'; hops += 1) {
      const name = /^#\/\$defs\/(.+)$/.exec(node['$ref'])?.[1];
      const target = name === undefined || !Object.hasOwn(this.#defs, name) ? undefined : asNode(this.#defs[name]);
      if (target === undefined || hops > 64) throw new TypeError(`unresolvable $ref ${JSON.stringify(node['$ref'])}`);
      node = target;
    }
    return node;
  }

  #describe(schema: SchemaNode): Shape {
    const types = typeNames(schema);
    const nonNull = [...types].filter((type) => type !== 'null');
    const nullable = types.has('null');
    const base = { nullable, properties: [], required: new Set<string>(), closed: false, unique: false, long: false };
    if (nonNull.length !== 1 || schema['oneOf'] !== undefined || schema['anyOf'] !== undefined) {
      return { ...base, kind: nonNull.length === 0 && types.size > 0 ? 'null' : 'union' };
    }
    const kind = nonNull[0] as ShapeKind;
    if (kind === 'object') {
      const properties = Object.entries(asNode(schema['properties']) ?? {}).flatMap(([name, value]) =>
        typeof value === 'object' && value !== null ? [[name, value] as const] : [],
      );
      const values = asNode(schema['additionalProperties']);
      const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
      return {
        ...base,
        kind: properties.length === 0 && values !== undefined ? 'map' : 'object',
        properties,
        required,
        closed: schema['additionalProperties'] === false,
        ...(values === undefined ? {} : { values }),
      };
    }
    if (kind === 'array') {
      const items = asNode(schema['items']) ?? {};
      return { ...base, kind, items, unique: schema['uniqueItems'] === true };
    }
    return { ...base, kind, long: kind === 'integer' && schema['format'] === 'int64' };
  }
}

/**
 * The JSON types a schema node admits: its `type`, or what its `enum`/`const` values are. Empty when it says
 * nothing (a union, or any value).
 */
function typeNames(schema: SchemaNode): ReadonlySet<string> {
  const type = schema['type'];
  if (typeof type === 'string') return new Set([type].filter((name) => TYPE_NAMES.has(name)));
  if (Array.isArray(type)) return new Set(type.map(String).filter((name) => TYPE_NAMES.has(name)));
  const values = Array.isArray(schema['enum']) ? schema['enum'] : Object.hasOwn(schema, 'const') ? [schema['const']] : [];
  return new Set(values.map(jsonTypeOf));
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function asNode(value: unknown): SchemaNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as SchemaNode) : undefined;
}
