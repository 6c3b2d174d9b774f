/**
 * Ktor's serializers beyond the vectors: Kotlin's number text, kotlinx JSON's declaration order, the
 * reflection format's lossy cases refused at write time, malformed or hostile text refused at read time, and
 * the schemas the reflection format cannot express.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionValidationError } from '../../../runtime/errors.js';
import { createKtorJsonSerializer } from '../../../runtime/ktor/json-serializer.js';
import { kotlinDoubleText } from '../../../runtime/ktor/kotlin-number.js';
import { createKtorReflectionSerializer, reflectionSchemaProblem } from '../../../runtime/ktor/reflection-serializer.js';
import { decodeQueryComponent, encodeUrlParameter, UrlDecodeError } from '../../../runtime/ktor/url-encoding.js';

describe("Kotlin's Double.toString", () => {
  it.each([
    [3, '3.0'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [1e10, '1.0E10'],
    [1.23e-18, '1.23E-18'],
  ])('%d -> %s', (value, text) => {
    expect(kotlinDoubleText(value)).toBe(text);
  });
});

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    score: { type: 'number' },
    count: { type: 'integer' },
    big: { type: 'integer', format: 'int64' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    lists: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    nick: { type: 'string' },
    note: { type: ['string', 'null'] },
  },
  required: ['name'],
  additionalProperties: false,
};

describe('ktor-json', () => {
  const json = createKtorJsonSerializer('s', schema);
  it('writes declared properties in declaration order, Doubles as Kotlin does, map keys as given', () => {
    expect(json.encode({ labels: { b: '1', a: '2' }, score: 3, name: 'n', count: 3, note: null })).toBe(
      '{"name":"n","score":3.0,"count":3,"labels":{"b":"1","a":"2"},"note":null}',
    );
    expect(json.decode('{"score":3.0,"name":"n"}')).toEqual({ name: 'n', score: 3 });
  });

  it('refuses what JSON cannot hold, with the path', () => {
    expect(() => json.encode({ name: 'n', score: Number.NaN })).toThrow(SessionValidationError);
    expect(() => json.encode({ name: 'n', labels: { at: new Date() } })).toThrow(/payload \/labels\/at is a Date/);
  });
});

describe('ktor-reflection writing', () => {
  const reflection = createKtorReflectionSerializer('s', schema);
  it('writes Sets as #cs, Longs as #l, Doubles as #f, nullable nulls as #n, and leaves out what the payload leaves out', () => {
    expect(reflection.encode({ name: 'n', big: 2 ** 40, tags: ['a'], score: 0.5, note: null })).toBe(
      'big=%23l1099511627776&name=%23sn&note=%23n&score=%23f0.5&tags=%23cs%23sa',
    );
  });

  it.each([
    ['a list item with "&"', { name: 'n', tags: ['a&b'] }, '/tags/0'],
    ['a map key with "="', { name: 'n', labels: { 'a=b': 'x' } }, '/labels/a=b'],
    ['a map value with "&"', { name: 'n', labels: { a: 'x&y' } }, '/labels/a'],
    ['a nested list of two items', { name: 'n', lists: [['a', 'b']] }, '/lists/0'],
  ])('refuses %s, which Ktor would split apart', (_, value, path) => {
    expect(() => reflection.encode(value)).toThrow(expect.objectContaining({ name: 'SessionValidationError', path }));
  });

  it("refuses an integer outside Kotlin's Int unless the schema says int64", () => {
    expect(() => reflection.encode({ name: 'n', count: 2 ** 31 })).toThrow(/outside Kotlin's Int; declare format: int64/);
  });

  it('round-trips what it writes, strings with every kind of character included', () => {
    const value = { name: 'a b+c&d=e%f/ü#', tags: ['x y', '50%', 'ü', '#s'], lists: [['one']], labels: { 'k y': 'v=w' }, nick: '' };
    expect(reflection.decode(reflection.encode(value))).toEqual(value);
  });
});

describe('ktor-reflection reading', () => {
  const reflection = createKtorReflectionSerializer('s', schema);
  it('reads the properties of an open object that its schema does not declare', () => {
    const open = createKtorReflectionSerializer('s', { type: 'object', properties: { name: { type: 'string' } } });
    expect(open.decode('extra=%23cl%23sx&name=%23sn')).toEqual({ extra: ['x'], name: 'n' });
  });

  it('reads a null written for an optional property that may not be null as absent', () => {
    expect(reflection.decode('name=%23sn&nick=%23n&note=%23n')).toEqual({ name: 'n', note: null });
  });

  it.each([
    ['a value without #', 'name=n'],
    ['a malformed escape', 'name=%23s%E0%A4%A'],
    ['a repeated name', 'name=%23sa&name=%23sb'],
    ['a sealed-class $type', 'name=%23sa&%24type=SS'],
    ['a polluting key', 'name=%23sa&__proto__=%23n'],
    ['a polluting map key', 'name=%23sa&labels=%23m%23s__proto__%3D%23sx'],
    ['an unknown prefix', 'name=%23bd1.5'],
    ['a fractional #i', 'count=%23i1.5'],
    ['a non-finite #f', 'score=%23fNaN'],
    ['deep nesting', `name=${'%23%23x%3D'.repeat(70)}`],
    ['a list where the schema has a string', 'name=%23cl%23sa'],
    ['a list inside a list of strings', 'name=%23sa&tags=%23cs%23cl%23sb'],
    ['a map where the schema has a list', 'name=%23sa&tags=%23m%23sk%3D%23sv'],
    ['an object where the schema has a map', 'name=%23sa&labels=%23%23k%3D%2523sv'],
    ['a list as a map key', 'name=%23sa&labels=%23m%23cl%23sk%3D%23sv'],
    ['a property the schema does not declare (additionalProperties: false)', 'name=%23sa&extra=%23sx'],
  ])('refuses %s', (_, text) => {
    expect(() => reflection.decode(text)).toThrow();
  });
});

describe('ktor-reflection schemas', () => {
  const object = (properties: object) => ({ type: 'object', properties, additionalProperties: false });
  it.each([
    [object({ a: { type: 'string' } }), undefined],
    [{ type: 'array', items: { type: 'string' } }, 'the payload must be an object with declared properties (a Kotlin class)'],
    [object({ a: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }), '/a is a union (oneOf, anyOf or several types), which ktor-reflection cannot write'],
    [object({ a: { type: 'array', items: object({ b: { type: 'string' } }) } }), "/a/items is an object inside a list, set or map, which Ktor's reflection serializer reads back without its class"],
    [
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      '(root) mixes declared properties with additionalProperties, which a Kotlin class cannot hold',
    ],
    [object({ a: { enum: ['X', 'Y', null] } }), undefined],
  ])('%j: %s', (given, want) => {
    expect(reflectionSchemaProblem(given)).toBe(want);
  });
});

describe("Ktor's query component decoding", () => {
  it('refuses malformed escapes and escaped bytes that are not UTF-8', () => {
    expect(() => decodeQueryComponent('%4', true)).toThrow(UrlDecodeError);
    expect(() => decodeQueryComponent('%ff', true)).toThrow(UrlDecodeError);
    expect(decodeQueryComponent('%C3%BC+%2b', true)).toBe('ü +');
    expect(decodeQueryComponent('a+b', false)).toBe('a+b');
  });

  it('decodes and refuses exactly what a step-by-step port of Ktor\'s decodeImpl does', () => {
    const piece = fc.constantFrom('%C3', '%BC', '%bc', '%2B', '%e2%82%ac', '%F0', '%80', '%ED%A0%80', '%', '%4', '%G1', 'a', '+', ' ', 'ü', '%25');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.boolean(), (pieces, plusIsSpace) => {
        const text = pieces.join('');
        expect(outcome(() => decodeQueryComponent(text, plusIsSpace))).toEqual(outcome(() => ktorDecodeImpl(text, plusIsSpace)));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back whatever encodeURLParameter wrote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(decodeQueryComponent(encodeUrlParameter(text), true)).toBe(text);
      }),
    );
  });
});

/** The decoded text, or `refused` for a decoding error. */
function outcome(decode: () => string): string | { refused: true } {
  try {
    return decode();
  } catch (error) {
    if (error instanceof UrlDecodeError || error instanceof MalformedEscape || error instanceof TypeError) return { refused: true };
    throw error;
  }
}

class MalformedEscape extends Error {}

/**
 * `decodeImpl` of ktor-http's Codecs.kt, step by step: `+` as a space when asked, each run of `%XX` escapes
 * decoded as one UTF-8 byte sequence (strictly here, as the port refuses what is not UTF-8), every other
 * character kept. Independent of the runtime's one-pass decoder, which it checks.
 */
function ktorDecodeImpl(text: string, plusIsSpace: boolean): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let decoded = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] !== '%') {
      decoded += plusIsSpace && text[index] === '+' ? ' ' : text[index];
      index += 1;
      continue;
    }
    const bytes: number[] = [];
    while (text[index] === '%') {
      const pair = text.slice(index + 1, index + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) throw new MalformedEscape(`malformed escape at ${index}`);
      bytes.push(Number.parseInt(pair, 16));
      index += 3;
    }
    // TextDecoder throws a TypeError on bytes that are not UTF-8.
    decoded += utf8.decode(Uint8Array.from(bytes));
  }
  return decoded;
}
