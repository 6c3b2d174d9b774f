import { POLLUTING_KEYS } from '../serializer/json.js';
import type { PayloadShapes, Shape, ShapeKind } from './payload-shape.js';
import { decodeQueryComponent, parseQueryString } from './url-encoding.js';

/** Reads payloads in `ktor-reflection`'s text format (runtime/ktor/reflection-serializer.ts); malformed text throws `SyntaxError`. */

/** Objects and collections inside one another; deeper input is refused when read. */
const MAX_DEPTH = 64;
/**
 * A finite decimal as Kotlin's `toDouble` reads it. Each digit can match one way only: `\d+\.?\d*` could split
 * a run of digits anywhere, and backtracking through every split makes a long run that fails at its end cost
 * quadratic time (security.md #59).
 */
const KOTLIN_DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Ktor's `deserializeObject`: a query string of properties; an unknown value prefix or malformed escape throws. */
export function readObject(text: string, shapes: PayloadShapes, schema: object | undefined, depth: number): Record<string, unknown> {
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
