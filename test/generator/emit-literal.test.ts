import { describe, expect, it } from 'vitest';
import { CodeExpression, literal } from '../../generator/emit/literal.js';
import { propertyName, stringLiteral } from '../../generator/emit/tokens.js';

describe('literal', () => {
  it.each<{ name: string; given: unknown; want: string }>([
    { name: 'string', given: 'a', want: "'a'" },
    { name: 'number', given: 604800, want: '604800' },
    { name: 'boolean and null', given: [true, false, null], want: '[true, false, null]' },
    { name: 'empty object and array', given: { a: {}, b: [] }, want: '{ a: {}, b: [] }' },
    { name: 'undefined properties are left out', given: { a: 1, b: undefined, c: 'x' }, want: "{ a: 1, c: 'x' }" },
    { name: 'keys keep insertion order', given: { z: 1, a: 2 }, want: '{ z: 1, a: 2 }' },
    { name: 'non-identifier keys are quoted', given: { 'sess:': 1, $defs: 2 }, want: "{ 'sess:': 1, $defs: 2 }" },
    {
      name: '#60 a __proto__ key stays a data property',
      given: JSON.parse('{"__proto__": {"polluted": true}}'),
      want: "{ ['__proto__']: { polluted: true } }",
    },
    {
      name: 'code is printed as is',
      given: { serializer: new CodeExpression('userCodec') },
      want: '{ serializer: userCodec }',
    },
  ])('$name', ({ given, want }) => {
    expect(literal(given)).toBe(want);
  });

  it.each([
    { name: 'a function', given: { encode: () => 'x' } },
    { name: 'a symbol', given: [Symbol('s')] },
    { name: 'a bigint', given: 1n },
  ])('refuses $name, which is not data', ({ given }) => {
    expect(() => literal(given)).toThrow(/is not data/);
  });
});

describe('stringLiteral', () => {
  it.each([
    { given: 'plain', want: "'plain'" },
    { given: "it's", want: "'it\\'s'" },
    { given: 'say "hi"', want: '\'say "hi"\'' },
    { given: 'back\\slash', want: "'back\\\\slash'" },
    { given: 'line\nbreak\u2028', want: "'line\\nbreak\u2028'" },
    { given: 'tab\there', want: "'tab\\there'" },
    { given: 'C:\\', want: "'C:\\x5c'" },
    { given: '\\\\', want: "'\\\\\\x5c'" },
  ])('$given', ({ given, want }) => {
    const text = stringLiteral(given);
    expect(text).toBe(want);
    // What TypeScript reads back is the original string.
    expect(new Function(`return ${text};`)()).toBe(given);
  });
});

describe('propertyName', () => {
  it.each([
    { given: 'userId', want: 'userId' },
    { given: '_x$1', want: '_x$1' },
    { given: 'content-type', want: "'content-type'" },
    { given: '1st', want: "'1st'" },
    { given: '', want: "''" },
    { given: '__proto__', want: "['__proto__']" },
  ])('$given', ({ given, want }) => {
    expect(propertyName(given)).toBe(want);
  });
});
