/**
 * The helpers of ajv's own runtime that validators compiled by ajv's standalone code call: ajv 8.20's
 * `ajv/dist/runtime/ucs2length` and `ajv/dist/runtime/equal` (the latter re-exports fast-deep-equal 3.1.3),
 * both MIT licensed, (c) Evgeny Poberezkin. Ported to TypeScript without changing what they compute, so a
 * generated validator answers as ajv's does, with one exception in `equal`. `gen` points the code at these
 * instead of at ajv.
 */

/**
 * The length of a string in code points, as `minLength` and `maxLength` count it (JSON Schema counts
 * characters, not UTF-16 units): a surrogate pair counts once.
 *
 * @example
 * ucs2length('a\u{1F600}'); // 2
 */
export function ucs2length(text: string): number {
  const units = text.length;
  let length = 0;
  let position = 0;
  while (position < units) {
    length += 1;
    const unit = text.charCodeAt(position++);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && position < units && (text.charCodeAt(position) & 0xfc00) === 0xdc00) position += 1;
  }
  return length;
}

/**
 * Deep equality of JSON values, as `const`, `enum` and `uniqueItems` compare them. Unlike fast-deep-equal,
 * an object whose `valueOf` or `toString` is a property that holds data (a payload `{"valueOf": 1}`) is
 * compared by its properties: fast-deep-equal calls it and throws a TypeError, which a hostile payload
 * would turn into a 500 where a schema failure is due.
 *
 * @example
 * equal({ a: [1] }, { a: [1] }); // true
 * equal({ valueOf: 1 }, { a: 1 }); // false
 */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (a.constructor !== b.constructor) return false;
    if (Array.isArray(a)) {
      const items = b as unknown[];
      if (a.length !== items.length) return false;
      for (let index = a.length; index-- !== 0; ) if (!equal(a[index], items[index])) return false;
      return true;
    }
    if (a.constructor === RegExp) return (a as RegExp).source === (b as RegExp).source && (a as RegExp).flags === (b as RegExp).flags;
    if (isOwnMethod(a.valueOf, b.valueOf, Object.prototype.valueOf)) return a.valueOf() === b.valueOf();
    if (isOwnMethod(a.toString, b.toString, Object.prototype.toString)) return a.toString() === b.toString();
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) if (!Object.hasOwn(b, key)) return false;
    for (const key of keys) {
      if (!equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
    }
    return true;
  }
  // Both NaN.
  return a !== a && b !== b;
}

/** Whether both values have a method of their own for it (a `Date`'s `valueOf`), as opposed to Object's or to data. */
function isOwnMethod(mine: unknown, theirs: unknown, objectDefault: unknown): boolean {
  return typeof mine === 'function' && typeof theirs === 'function' && mine !== objectDefault;
}
