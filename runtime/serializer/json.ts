import { SessionValidationError } from '../errors.js';
import type { Serializer } from './serializer.js';

/**
 * The default serializer: `JSON.stringify` and `JSON.parse`, with two guards JSON itself lacks.
 *
 * Writing, values JSON would silently change are refused with a `SessionValidationError` naming their
 * path, so what `get` returns later is exactly what `set` was given (security.md #32): a `Date` would come
 * back a string, `NaN` `null`, a `Map` `{}`, and a `BigInt` or a cycle would throw from inside
 * `JSON.stringify`. An `undefined` object property is dropped, which reads back the same for an optional
 * property.
 *
 * Reading, keys that are prototype-pollution gadgets (`__proto__`, `constructor`) are refused (security.md
 * #28), and so is nesting deeper than `MAX_PAYLOAD_DEPTH` (security.md #31): a poisoned store could otherwise
 * hand a recursive schema's validator 10^4 levels, which it walks recursively into a stack overflow. Writing
 * refuses the same keys and depth, so what is written can be read (security.md #63).
 */

/** Objects and arrays inside one another; session payloads are a few levels deep. */
export const MAX_PAYLOAD_DEPTH = 64;

/**
 * Keys that reach `Object.prototype` when an app later merges or assigns session data: refused in every
 * payload, and so refused as property names by `validate`, where every `set` would fail (security.md #65).
 */
const PROTO_KEY = '__proto__';
const CONSTRUCTOR_KEY = 'constructor';
export const POLLUTING_KEYS: ReadonlySet<string> = new Set([PROTO_KEY, CONSTRUCTOR_KEY]);
const POLLUTING_KEY_TEXT = /"(?:__proto__|constructor)"\s*:/;

/**
 * @example
 * const serializer = createJsonSerializer('user');
 * serializer.encode({ userId: 'ada' });        // '{"userId":"ada"}'
 * serializer.encode({ since: new Date() });     // throws SessionValidationError: payload /since is a Date ...
 */
export function createJsonSerializer(session: string): Serializer<unknown> {
  return {
    encode(value) {
      const problem = nonJsonValue(value);
      if (problem !== undefined) throw new SessionValidationError(session, problem.path, problem.detail);
      return JSON.stringify(value);
    },
    decode: parseJsonPayload,
  };
}

/**
 * What in `value` JSON would silently change or cannot hold, as `encode` refuses it: for values JSON-encoded
 * inside another one (flash values, runtime/flash.ts).
 *
 * @example
 * nonJsonValue({ at: new Date() }); // { path: '/at', detail: 'is a Date; store date.toISOString(); ...' }
 */
export function nonJsonValue(value: unknown): JsonProblem | undefined {
  return findNonJsonValue(value, [], []);
}

/**
 * `JSON.parse` with the read-side rules, each the exact counterpart of a write-side one, so that what `set`
 * writes a read accepts and what a read refuses `set` refuses (security.md #63):
 *
 * - a `__proto__` or `constructor` key is refused (`set` refuses those keys). A substring test skips the
 *   key check for the texts that cannot hold one; a text that may (a key like `a"constructor` contains the
 *   words, and a `\u` escape can spell them) gets the exact check of a reviver;
 * - nesting deeper than `MAX_PAYLOAD_DEPTH` is refused before parsing (`set` refuses it);
 * - a repeated property name is refused, where `JSON.parse` would silently keep the last value: `set`
 *   cannot write one, and which value counts must never be left to the parser. The scan counts the names
 *   in the text (every `:` outside a string follows one); the parsed value holding fewer names means one
 *   was repeated. One pass over the text, no allocation.
 */
function parseJsonPayload(text: string): unknown {
  const names = countNames(text);
  if (names === TOO_DEEP) throw new SyntaxError(`payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  const value: unknown = POLLUTING_KEY_TEXT.test(text) || text.includes('\\u') ? JSON.parse(text, refusePollutingKeys) : JSON.parse(text);
  if (names !== 0 && namesIn(value) !== names) throw new SyntaxError('payload repeats a property name');
  return value;
}

const TOO_DEEP = -1;

/**
 * The property names in JSON `text` (its `:` outside strings), or `TOO_DEEP` when it opens more than
 * `MAX_PAYLOAD_DEPTH` brackets at once. Malformed text gets some count; `JSON.parse` refuses it anyway.
 * A string is skipped with `indexOf` to its closing quote rather than read character by character: payloads
 * are mostly strings. Each quote's backslashes are counted once, so the time stays linear in the text.
 */
function countNames(text: string): number {
  let names = 0;
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      index = closingQuote(text, index);
      if (index === -1) return names;
    } else if (code === 0x3a) names += 1;
    else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > MAX_PAYLOAD_DEPTH) return TOO_DEEP;
    } else if (code === 0x5d || code === 0x7d) depth -= 1;
  }
  return names;
}

/** Where the string opened at `open` ends: the next `"` after an even run of backslashes; -1 if none. */
function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

/** Own property names in `value` and everything inside it; its depth is bounded by `countNames`. */
function namesIn(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let names = 0;
  if (Array.isArray(value)) {
    for (const item of value) names += namesIn(item);
    return names;
  }
  for (const key in value) names += 1 + namesIn((value as Record<string, unknown>)[key]);
  return names;
}

function refusePollutingKeys(key: string, value: unknown): unknown {
  if (POLLUTING_KEYS.has(key)) throw new SyntaxError('payload has a polluting key');
  return value;
}

export interface JsonProblem {
  /** JSON Pointer, like ajv's `instancePath`. */
  readonly path: string;
  readonly detail: string;
}

const REMEDY = 'JSON sessions hold plain data (objects, arrays, strings, finite numbers, booleans, null)';

/**
 * Walks `value` as `JSON.stringify` would. It runs on every `set`, so it allocates nothing on the way
 * unless it finds a problem (no closures, no key-value pairs). `ancestors` is the objects and arrays it is
 * inside, at most `MAX_PAYLOAD_DEPTH`: an array, since a few `includes` cost less than a `Set`'s upkeep.
 */
function findNonJsonValue(value: unknown, path: string[], ancestors: object[]): JsonProblem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : problemAt(path, `is ${value}, which JSON turns into null; ${REMEDY}`);
    case 'bigint':
      return problemAt(path, `is a BigInt, which JSON cannot hold; store it as a string`);
    case 'undefined':
      return problemAt(
        path,
        path.length === 0
          ? 'is undefined; use clear() to remove a session'
          : `is undefined inside an array, which JSON turns into null; ${REMEDY}`,
      );
    case 'function':
    case 'symbol':
      return problemAt(path, `is a ${typeof value}; ${REMEDY}`);
  }
  if (value === null) return undefined;
  const object = value as object;
  if (ancestors.includes(object)) return problemAt(path, 'refers back to an object that contains it (a cycle)');
  if (ancestors.length >= MAX_PAYLOAD_DEPTH) return problemAt(path, `nests deeper than ${MAX_PAYLOAD_DEPTH} objects and arrays; flatten it`);
  if (Array.isArray(object)) {
    ancestors.push(object);
    for (let index = 0; index < object.length; index += 1) {
      path.push(String(index));
      const found = findNonJsonValue(object[index], path, ancestors);
      path.pop();
      if (found !== undefined) return found;
    }
    ancestors.pop();
    return undefined;
  }
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = object instanceof Date ? 'a Date; store date.toISOString()' : `a ${object.constructor?.name ?? 'class instance'}`;
    return problemAt(path, `is ${kind}; ${REMEDY}`);
  }
  ancestors.push(object);
  const entries = object as Record<string, unknown>;
  for (const key of Object.keys(entries)) {
    path.push(key);
    const entry = entries[key];
    const found = isPollutingKey(key)
      ? problemAt(path, `is a "${key}" key, which sessions refuse (prototype pollution); rename it`)
      : entry === undefined
        ? undefined
        : findNonJsonValue(entry, path, ancestors);
    path.pop();
    if (found !== undefined) return found;
  }
  ancestors.pop();
  return undefined;
}

/** `POLLUTING_KEYS.has(key)`, spelled out for the walk that runs on every `set`; the same two constants. */
function isPollutingKey(key: string): boolean {
  return key === PROTO_KEY || key === CONSTRUCTOR_KEY;
}

function problemAt(path: readonly string[], detail: string): JsonProblem {
  return { path: toPointer(path), detail };
}

/** RFC 6901: `~` and `/` inside a key are escaped as `~0` and `~1`. */
function toPointer(path: readonly string[]): string {
  return path.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
