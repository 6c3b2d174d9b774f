import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../generator/payload-schema.js';
import { schemaToType } from '../../generator/emit/schema-to-type.js';
import { UnsupportedSchemaError } from '../../generator/emit/unsupported-schema-error.js';

const cases: ReadonlyArray<{ name: string; given: JsonSchema; want: string }> = [
  { name: 'string', given: { type: 'string' }, want: 'string' },
  {
    name: 'value keywords do not change the type',
    given: { type: 'string', minLength: 1, pattern: '^a', format: 'email' },
    want: 'string',
  },
  { name: 'integer is number', given: { type: 'integer', minimum: 0 }, want: 'number' },
  { name: 'number', given: { type: 'number' }, want: 'number' },
  { name: 'boolean', given: { type: 'boolean' }, want: 'boolean' },
  { name: 'null', given: { type: 'null' }, want: 'null' },
  { name: 'no type at all', given: { description: 'anything' }, want: 'unknown' },
  { name: 'nullable by type list', given: { type: ['string', 'null'] }, want: 'string | null' },
  { name: 'type list repeats collapse', given: { type: ['integer', 'number'] }, want: 'number' },
  { name: 'enum of mixed literals', given: { enum: ['a', 1, true, null] }, want: "'a' | 1 | true | null" },
  { name: 'enum wins over type', given: { type: 'string', enum: ['x', 'y'] }, want: "'x' | 'y'" },
  {
    name: 'enum strings are escaped',
    given: { enum: ["it's", 'say "hi"', 'a\\b'] },
    want: "'it\\'s' | 'say \"hi\"' | 'a\\\\b'",
  },
  { name: 'const string', given: { const: 'v1' }, want: "'v1'" },
  { name: 'const number', given: { const: -2.5 }, want: '-2.5' },
  { name: 'const object', given: { const: { a: 1, 'b-c': [true] } }, want: "{ a: 1, 'b-c': [true] }" },
  { name: '$ref to a shared type', given: { $ref: '#/types/CartItem' }, want: 'CartItem' },
  { name: 'array of strings', given: { type: 'array', items: { type: 'string' } }, want: 'readonly string[]' },
  { name: 'array without items', given: { type: 'array' }, want: 'readonly unknown[]' },
  { name: 'array of $ref', given: { type: 'array', items: { $ref: '#/types/CartItem' } }, want: 'readonly CartItem[]' },
  {
    name: 'array of arrays',
    given: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    want: 'ReadonlyArray<readonly number[]>',
  },
  {
    name: 'array of enum',
    given: { type: 'array', items: { enum: ['admin', 'member'] } },
    want: "ReadonlyArray<'admin' | 'member'>",
  },
  {
    name: 'array of a oneOf union',
    given: { type: 'array', items: { oneOf: [{ type: 'string' }, { $ref: '#/types/CartItem' }] } },
    want: 'ReadonlyArray<string | CartItem>',
  },
  {
    name: 'array of nullable',
    given: { type: 'array', items: { type: ['integer', 'null'] } },
    want: 'ReadonlyArray<number | null>',
  },
  { name: 'nullable array', given: { type: ['array', 'null'], items: { type: 'string' } }, want: 'readonly string[] | null' },
  {
    name: 'object with required and optional properties',
    given: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a'] },
    want: '{ readonly a: string; readonly b?: number; }',
  },
  {
    name: 'nested objects',
    given: {
      type: 'object',
      properties: { outer: { type: 'object', properties: { inner: { type: 'boolean' } }, required: ['inner'] } },
      required: ['outer'],
    },
    want: '{ readonly outer: { readonly inner: boolean; }; }',
  },
  {
    name: 'nullable object',
    given: { type: ['object', 'null'], properties: { id: { type: 'string' } }, required: ['id'] },
    want: '{ readonly id: string; } | null',
  },
  {
    name: 'property names that are not identifiers are quoted',
    given: { type: 'object', properties: { 'x-id': { type: 'string' } } },
    want: "{ readonly 'x-id'?: string; }",
  },
  {
    name: 'property description becomes JSDoc',
    given: { type: 'object', properties: { id: { type: 'string', description: 'The id.' } }, required: ['id'] },
    want: '{ /** The id. */\nreadonly id: string; }',
  },
  {
    name: 'title and description both become JSDoc',
    given: {
      type: 'object',
      properties: { id: { type: 'string', title: 'Id', description: 'Opaque.' } },
      required: ['id'],
    },
    want: '{ /**\n * Id\n *\n * Opaque.\n */\nreadonly id: string; }',
  },
  {
    name: 'a description cannot close its JSDoc',
    given: { type: 'object', properties: { id: { type: 'string', description: 'a */ b' } }, required: ['id'] },
    want: '{ /** a *\\/ b */\nreadonly id: string; }',
  },
  {
    name: 'map of numbers',
    given: { type: 'object', additionalProperties: { type: 'number' } },
    want: 'Readonly<Record<string, number>>',
  },
  {
    name: 'map of $ref',
    given: { type: 'object', additionalProperties: { $ref: '#/types/CartItem' } },
    want: 'Readonly<Record<string, CartItem>>',
  },
  {
    name: 'map of nullable unions',
    given: { type: 'object', additionalProperties: { type: ['string', 'number', 'null'] } },
    want: 'Readonly<Record<string, string | number | null>>',
  },
  {
    name: 'properties plus a map: the index signature covers the named properties',
    given: {
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
      additionalProperties: { type: 'boolean' },
    },
    want: '{ readonly [key: string]: boolean | string; readonly id: string; }',
  },
  {
    name: 'object without properties, closed',
    given: { type: 'object', additionalProperties: false },
    want: 'Record<string, never>',
  },
  { name: 'object without properties, open', given: { type: 'object' }, want: 'Readonly<Record<string, unknown>>' },
  {
    name: 'oneOf of objects',
    given: {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'a' } }, required: ['kind'] },
        { type: 'object', properties: { kind: { const: 'b' }, n: { type: 'integer' } }, required: ['kind', 'n'] },
      ],
    },
    want: "{ readonly kind: 'a'; } | { readonly kind: 'b'; readonly n: number; }",
  },
  { name: 'anyOf', given: { anyOf: [{ type: 'string' }, { type: 'null' }] }, want: 'string | null' },
  { name: 'a union with unknown is unknown', given: { anyOf: [{}, { type: 'string' }] }, want: 'unknown' },
  {
    name: 'oneOf beside other keywords is an intersection',
    given: {
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
      oneOf: [{ $ref: '#/types/A' }, { $ref: '#/types/B' }],
    },
    want: '{ readonly id: string; } & (A | B)',
  },
  { name: 'empty enum', given: { enum: [] }, want: 'never' },
];

describe('schemaToType', () => {
  it.each(cases)('$name', ({ given, want }) => {
    expect(schemaToType(given)).toBe(want);
  });

  it.each<{ name: string; given: JsonSchema; construct: string }>([
    { name: 'a $ref outside #/types/', given: { $ref: '#/definitions/X' }, construct: '$ref "#/definitions/X"' },
    { name: 'an unknown type', given: { type: 'date' }, construct: 'type "date"' },
    {
      name: 'items that is not a schema',
      given: { type: 'array', items: [{ type: 'string' }] },
      construct: 'items: [{"type":"string"}] is not a schema object',
    },
  ])('refuses $name with UnsupportedSchemaError', ({ given, construct }) => {
    expect(() => schemaToType(given)).toThrow(expect.objectContaining({ name: 'UnsupportedSchemaError', construct }));
    expect(() => schemaToType(given)).toThrow(UnsupportedSchemaError);
  });
});
