import type { Serializer } from '../serializer/serializer.js';
import { PayloadShapes } from './payload-shape.js';
import { readObject } from './reflection-reader.js';
import { ReflectionWriter } from './reflection-writer.js';

/**
 * `serializer: ktor-reflection`: the text format of Ktor 1.x and 2.x's default session serializer
 * (`SessionSerializerReflection`, wire doc section 2.3), for the payloads a JSON Schema describes:
 *
 *   object := join("&", F(name) "=" F(value))   over the properties, sorted by name
 *   value  := #n | #i<Int> | #l<Long> | #f<Double> | #bot | #bof | #s<String> | #cl<C> | #cs<C> | #m<M> | ##<object>
 *   C      := Q(join("&", Q(value)...))           M := Q(join("&", Q(key) "=" Q(value)...))
 *
 * with F = `encodeURLParameter(spaceToPlus = true)` and Q = `encodeURLQueryComponent()`. The schema says what
 * the Kotlin class does: `integer` is an `Int` (`#i`), or a `Long` (`#l`) with `format: int64`; `number` is a
 * `Double`; `uniqueItems: true` makes a list a `Set`; a string `enum` is a Kotlin enum (written by name); an
 * optional property the payload leaves out is not written (the Kotlin property needs a default).
 *
 * Q keeps `&` and `=`, so Ktor cannot read back some values it writes (wire doc, "Known lossy cases"): a
 * collection item whose text holds `&` (a string with `&`, or a nested collection of two or more items), a map
 * key holding `=` or `&`, a map value holding `&`. Writing them throws `SessionValidationError` instead of
 * issuing a cookie Ktor would drop. Schemas the format cannot express at all (unions, objects inside
 * collections) are refused at start-up by `reflectionSchemaProblem`.
 *
 * @example
 * const serializer = createKtorReflectionSerializer('legacy', schema);
 * serializer.encode({ userId: 'id2', cart: [] }); // 'cart=%23cl&userId=%23sid2'
 */
export function createKtorReflectionSerializer(session: string, schema: object): Serializer<unknown> {
  const shapes = new PayloadShapes(schema);
  const writer = new ReflectionWriter(session, shapes);
  return {
    encode: (value) => writer.object(value, schema, []),
    decode: (text) => readObject(text, shapes, schema, 0),
  };
}

/**
 * Why `schema` cannot be a `ktor-reflection` payload, or `undefined` when it can: the root must be an object
 * with declared properties; unions other than "X or null" are refused (Kotlin sealed classes carry a `$type`
 * this port does not write), and so are objects or maps inside lists, sets and maps (Ktor reads them back
 * without their class) and objects that mix declared properties with map entries.
 *
 * @example
 * reflectionSchemaProblem({ type: 'object', properties: { tags: { type: 'array', items: { oneOf: [...] } } } });
 * // '/tags/items is a union (oneOf, anyOf or several types), which ktor-reflection cannot write'
 */
export function reflectionSchemaProblem(schema: object): string | undefined {
  const shapes = new PayloadShapes(schema);
  const root = shapes.of(schema);
  if (root.kind !== 'object') return 'the payload must be an object with declared properties (a Kotlin class)';
  const seen = new Set<object>();
  const visit = (node: object, where: string, inCollection: boolean): string | undefined => {
    const shape = shapes.of(node);
    if (shape.kind === 'union') return `${where || '(root)'} is a union (oneOf, anyOf or several types), which ktor-reflection cannot write`;
    if (inCollection && (shape.kind === 'object' || shape.kind === 'map') && where !== '') {
      return `${where} is an object inside a list, set or map, which Ktor's reflection serializer reads back without its class`;
    }
    if (shape.kind === 'object' && shape.values !== undefined) {
      return `${where || '(root)'} mixes declared properties with additionalProperties, which a Kotlin class cannot hold`;
    }
    if (seen.has(node)) return undefined;
    seen.add(node);
    for (const [name, property] of shape.properties) {
      const problem = visit(property, `${where}/${name}`, false);
      if (problem !== undefined) return problem;
    }
    if (shape.items !== undefined) return visit(shape.items, `${where}/items`, true);
    if (shape.values !== undefined) return visit(shape.values, `${where}/additionalProperties`, true);
    return undefined;
  };
  return visit(schema, '', false);
}
