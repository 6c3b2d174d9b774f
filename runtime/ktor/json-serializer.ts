import { createJsonSerializer } from '../serializer/json.js';
import type { Serializer } from '../serializer/serializer.js';
import { kotlinDoubleText } from './kotlin-number.js';
import { PayloadShapes } from './payload-shape.js';

/**
 * `serializer: ktor-json`: Ktor 3.x's default session serializer, kotlinx `Json` with default settings
 * (`KotlinxSessionSerializer`, wire doc section 2.2), written byte for byte as Ktor writes it:
 *
 * - properties in the order the schema declares them (Kotlin's declaration order), whatever order the app's
 *   object has; keys of a map in insertion order;
 * - a `number` as Kotlin prints a `Double` (`3.0`, `1.0E10`), an `integer` as digits;
 * - no whitespace; strings escaped as `JSON.stringify` does, which is what kotlinx does for valid text.
 *
 * An optional property the payload leaves out is left out, as kotlinx omits a property equal to its default.
 * Reading is order-insensitive and uses the JSON serializer's guards (polluting keys, nesting depth).
 *
 * @example
 * const serializer = createKtorJsonSerializer('ktor_user', schema);
 * serializer.encode({ cart: [], userId: 'id2' }); // '{"userId":"id2","cart":[]}'
 */
export function createKtorJsonSerializer(session: string, schema: object): Serializer<unknown> {
  const json = createJsonSerializer(session);
  const shapes = new PayloadShapes(schema);

  function write(value: unknown, schemaNode: object | undefined): string {
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'number' && schemaNode !== undefined && shapes.of(schemaNode).kind === 'number') return kotlinDoubleText(value);
      return JSON.stringify(value);
    }
    const shape = schemaNode === undefined ? undefined : shapes.of(schemaNode);
    if (Array.isArray(value)) return `[${value.map((item) => write(item, shape?.items)).join(',')}]`;
    const entries = Object.entries(value as Record<string, unknown>).filter(([, entry]) => entry !== undefined);
    const declared = shape?.properties ?? [];
    const byName = new Map(declared);
    // Declared properties first, in declaration order; then a map's keys, in insertion order.
    const ordered = [
      ...declared.flatMap(([name, propertySchema]) =>
        Object.hasOwn(value, name) && (value as Record<string, unknown>)[name] !== undefined
          ? [[name, (value as Record<string, unknown>)[name], propertySchema] as const]
          : [],
      ),
      ...entries.filter(([name]) => !byName.has(name)).map(([name, entry]) => [name, entry, shape?.values] as const),
    ];
    return `{${ordered.map(([name, entry, entrySchema]) => `${JSON.stringify(name)}:${write(entry, entrySchema)}`).join(',')}}`;
  }

  return {
    encode(value) {
      // Refuses what JSON cannot hold (Date, NaN, BigInt, cycles...) with the payload path, before writing.
      json.encode(value);
      return write(value, schema);
    },
    decode: json.decode,
  };
}
