import { describe, expect, it } from 'vitest';
import { runtimeSchema, type JsonSchema, type TypeNode } from '../../generator/payload-schema.js';

const types: TypeNode[] = [
  { name: 'Unused', schema: { type: 'string' } },
  { name: 'Money', schema: { type: 'object', properties: { cents: { type: 'integer' } } } },
  { name: 'Line', schema: { type: 'object', properties: { price: { $ref: '#/types/Money' } } } },
  {
    name: 'Tree',
    schema: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/types/Tree' } } } },
  },
];

const cases: ReadonlyArray<{ name: string; given: JsonSchema; want: JsonSchema }> = [
  {
    name: 'no refs: unchanged, no $defs',
    given: { type: 'string', maxLength: 3 },
    want: { type: 'string', maxLength: 3 },
  },
  {
    name: 'a $ref chain copies every type it reaches, in spec order, and no other',
    given: { type: 'object', properties: { line: { $ref: '#/types/Line' } } },
    want: {
      type: 'object',
      properties: { line: { $ref: '#/$defs/Line' } },
      $defs: {
        Money: { type: 'object', properties: { cents: { type: 'integer' } } },
        Line: { type: 'object', properties: { price: { $ref: '#/$defs/Money' } } },
      },
    },
  },
  {
    name: 'a self-referencing type is copied once',
    given: { $ref: '#/types/Tree' },
    want: {
      $ref: '#/$defs/Tree',
      $defs: { Tree: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Tree' } } } } },
    },
  },
  {
    name: 'refs in items, additionalProperties, oneOf and anyOf',
    given: {
      type: 'object',
      additionalProperties: { anyOf: [{ $ref: '#/types/Money' }, { type: 'null' }] },
      properties: { list: { type: 'array', items: { oneOf: [{ $ref: '#/types/Money' }] } } },
    },
    want: {
      type: 'object',
      additionalProperties: { anyOf: [{ $ref: '#/$defs/Money' }, { type: 'null' }] },
      properties: { list: { type: 'array', items: { oneOf: [{ $ref: '#/$defs/Money' }] } } },
      $defs: { Money: { type: 'object', properties: { cents: { type: 'integer' } } } },
    },
  },
  {
    name: 'a property named $ref and a const holding a $ref are data, not references',
    given: { type: 'object', properties: { $ref: { const: { $ref: '#/types/Money' } } } },
    want: { type: 'object', properties: { $ref: { const: { $ref: '#/types/Money' } } } },
  },
];

describe('runtimeSchema', () => {
  it.each(cases)('$name', ({ given, want }) => {
    const result = runtimeSchema(given, types);
    expect(result).toEqual(want);
    // Key order is output order in the generated file.
    expect(JSON.stringify(result)).toBe(JSON.stringify(want));
  });

  it('leaves the input untouched', () => {
    const given = { type: 'array', items: { $ref: '#/types/Money' } };
    const before = structuredClone(given);
    runtimeSchema(given, types);
    expect(given).toEqual(before);
  });
});
