import { SessionValidationError } from '../errors.js';
import type { Serializer } from '../serializer/serializer.js';
import { kotlinDoubleText } from './kotlin-number.js';
import { PayloadShapes, type Shape, type ShapeKind } from './payload-shape.js';
import { decodeQueryComponent, encodeQueryComponent, encodeUrlParameter, parseQueryString } from './url-encoding.js';

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

/** Kotlin's `Int`. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** Objects and collections inside one another; deeper input is refused when read. */
const MAX_DEPTH = 64;
const POLLUTING_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);
/**
 * A finite decimal as Kotlin's `toDouble` reads it. Each digit can match one way only: `\d+\.?\d*` could split
 * a run of digits anywhere, and backtracking through every split makes a long run that fails at its end cost
 * quadratic time (security.md #59).
 */
const KOTLIN_DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

class ReflectionWriter {
  constructor(
    readonly session: string,
    readonly shapes: PayloadShapes,
  ) {}

  object(value: unknown, schema: object, path: readonly string[]): string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.#fail(path, 'must be an object');
    const record = value as Record<string, unknown>;
    const properties = [...this.shapes.of(schema).properties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return properties
      .filter(([name]) => Object.hasOwn(record, name) && record[name] !== undefined)
      .map(([name, property]) => `${encodeUrlParameter(name)}=${encodeUrlParameter(this.value(record[name], property, [...path, name]))}`)
      .join('&');
  }

  value(value: unknown, schema: object, path: readonly string[]): string {
    if (value === null) return '#n';
    const shape = this.shapes.of(schema);
    switch (shape.kind) {
      case 'string':
        return `#s${this.#expect(value, 'string', path)}`;
      case 'boolean':
        return this.#expect(value, 'boolean', path) ? '#bot' : '#bof';
      case 'integer':
        return this.#integer(value, shape, path);
      case 'number':
        return `#f${kotlinDoubleText(this.#finite(value, path))}`;
      case 'array':
        return this.#collection(value, shape, path);
      case 'map':
        return this.#map(value, shape, path);
      case 'object':
        return `##${this.object(value, schema, path)}`;
      default:
        return this.#fail(path, `has a schema ktor-reflection cannot write (${shape.kind})`);
    }
  }

  #integer(value: unknown, shape: Shape, path: readonly string[]): string {
    const number = this.#finite(value, path);
    if (!Number.isSafeInteger(number)) this.#fail(path, 'must be a whole number within 2^53');
    if (!shape.long && (number < INT_MIN || number > INT_MAX)) {
      this.#fail(path, `is ${number}, outside Kotlin's Int; declare format: int64 in the schema if the Kotlin property is a Long`);
    }
    return `${shape.long ? '#l' : '#i'}${number}`;
  }

  #collection(value: unknown, shape: Shape, path: readonly string[]): string {
    if (!Array.isArray(value)) this.#fail(path, 'must be an array');
    const items = (value as unknown[]).map((item, index) => {
      const text = this.value(item, shape.items!, [...path, String(index)]);
      if (text.includes('&')) this.#lossy([...path, String(index)], 'an item of a list or set');
      return encodeQueryComponent(text);
    });
    return `${shape.unique ? '#cs' : '#cl'}${encodeQueryComponent(items.join('&'))}`;
  }

  #map(value: unknown, shape: Shape, path: readonly string[]): string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.#fail(path, 'must be an object');
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .map(([key, entry]) => {
        if (key.includes('=') || key.includes('&')) this.#lossy([...path, key], 'a map key with "=" or "&"');
        const text = this.value(entry, shape.values!, [...path, key]);
        if (text.includes('&')) this.#lossy([...path, key], 'a map value');
        return `${encodeQueryComponent(`#s${key}`)}=${encodeQueryComponent(text)}`;
      });
    return `#m${encodeQueryComponent(entries.join('&'))}`;
  }

  #lossy(path: readonly string[], place: string): never {
    return this.#fail(
      path,
      `would contain "&" or "=" as ${place}, which Ktor's reflection serializer splits apart when reading (its collection encoding does not escape them), so Ktor would drop the session; change the value, or use serializer: ktor-json if the Ktor service uses kotlinx JSON`,
    );
  }

  #expect<T extends 'string' | 'boolean'>(value: unknown, type: T, path: readonly string[]): T extends 'string' ? string : boolean {
    if (typeof value !== type) this.#fail(path, `must be a ${type}`);
    return value as T extends 'string' ? string : boolean;
  }

  #finite(value: unknown, path: readonly string[]): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.#fail(path, 'must be a finite number');
    return value as number;
  }

  #fail(path: readonly string[], detail: string): never {
    throw new SessionValidationError(this.session, path.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''), detail);
  }
}

/** Ktor's `deserializeObject`: a query string of properties; an unknown value prefix or malformed escape throws. */
function readObject(text: string, shapes: PayloadShapes, schema: object | undefined, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new SyntaxError(`nested deeper than ${MAX_DEPTH} levels`);
  const shape = schema === undefined ? undefined : shapes.of(schema);
  const declared = new Map(shape?.properties ?? []);
  const object: Record<string, unknown> = {};
  for (const [name, raw] of parseQueryString(text)) {
    if (POLLUTING_KEYS.has(name)) throw new SyntaxError('payload has a polluting key');
    const property = declared.get(name);
    // The payload check would refuse it anyway; refused unread, it cannot make the reader nest (see expectShape).
    if (property === undefined && shape?.closed === true) throw new SyntaxError(`undeclared property ${JSON.stringify(name)}`);
    const value = readValue(raw, shapes, property, depth + 1);
    // Ktor writes null for a nullable property; an optional one the schema does not let be null is absent.
    if (value === null && property !== undefined && !shapes.of(property).nullable && !shape!.required.has(name)) continue;
    object[name] = value;
  }
  return object;
}

/** Ktor's `deserializeValue`, without its BigDecimal, BigInteger, Optional and sealed-class cases (refused). */
function readValue(text: string, shapes: PayloadShapes, schema: object | undefined, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new SyntaxError(`nested deeper than ${MAX_DEPTH} levels`);
  if (text[0] !== '#') throw new SyntaxError('Bad serialized value');
  const shape = schema === undefined ? undefined : shapes.of(schema);
  const rest = text.slice(2);
  switch (text[1]) {
    case undefined:
    case 'n':
      if (text.length > 2) break;
      return null;
    case 'i':
    case 'l':
      if (!/^[+-]?\d{1,19}$/.test(rest) || !Number.isSafeInteger(Number(rest))) break;
      return Number(rest);
    case 'f': {
      const number = KOTLIN_DOUBLE.test(rest) ? Number(rest) : Number.NaN;
      if (!Number.isFinite(number)) break;
      return number;
    }
    case 'b':
      if (rest === 'ot' || rest === 'of') return rest === 'ot';
      break;
    case 's':
      return rest;
    case 'c':
      if (rest[0] === 'h' && rest.length > 1) return rest.slice(1);
      if (rest[0] === 'l' || rest[0] === 's') {
        expectShape(shape, 'array');
        return splitItems(rest.slice(1)).map((item) => readValue(decodeQueryComponent(item, false), shapes, shape?.items, depth + 1));
      }
      break;
    case 'm': {
      expectShape(shape, 'map');
      const map: Record<string, unknown> = {};
      for (const pair of splitItems(rest)) {
        const equals = pair.indexOf('=');
        const key = equals === -1 ? undefined : readValue(decodeQueryComponent(pair.slice(0, equals), false), shapes, MAP_KEY, depth + 1);
        if (typeof key !== 'string' || POLLUTING_KEYS.has(key) || Object.hasOwn(map, key)) throw new SyntaxError('Bad map key');
        map[key] = readValue(decodeQueryComponent(pair.slice(equals + 1), false), shapes, shape?.values, depth + 1);
      }
      return map;
    }
    case '#':
      expectShape(shape, 'object');
      return readObject(rest, shapes, schema, depth + 1);
  }
  throw new SyntaxError('Bad serialized value');
}

/** Map keys are strings (`#s`). */
const MAP_KEY = { type: 'string' };

/**
 * Each level of a collection, map or object decodes its whole text once more, so nesting where the schema has
 * none (a list of lists where it says string) would cost up to `MAX_DEPTH` passes over the payload before the
 * payload check refused it. Nested text is therefore read only where the schema nests (security.md #56);
 * where it says nothing (an undeclared property of an open object), `MAX_DEPTH` bounds the work.
 */
function expectShape(shape: Shape | undefined, kind: ShapeKind): void {
  if (shape !== undefined && shape.kind !== kind) throw new SyntaxError(`a ${kind} where the schema has ${shape.kind}`);
}

/** A collection's items: decoded once, split on `&`, empty parts dropped (Ktor's `filter { it.isNotEmpty() }`). */
function splitItems(text: string): string[] {
  return decodeQueryComponent(text, false)
    .split('&')
    .filter((item) => item !== '');
}
