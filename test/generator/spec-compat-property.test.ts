/**
 * The check's soundness as a property: for an old payload schema and a random change to it, when
 * `compareSpecs` reports nothing breaking, every payload valid under the old schema is valid under the new
 * one, or, with the version raised, under the new spec's history entry for the old version. Payloads are
 * generated from the old schema and checked with the payload Ajv the runtime's validators are compiled
 * with; the last tests show the property finds a counterexample when there is one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSpecs } from '../../generator/compat/compare-specs.js';
import { createPayloadAjv } from '../../generator/emit/payload-ajv.js';
import type { JsonSchema } from '../../generator/payload-schema.js';
import { loadSpecText } from '../../generator/spec.js';

type Schema = { [keyword: string]: unknown };

const PATTERNS = { '^[ab]*$': ['a', 'b'], '^a': ['a', 'b', 'c'] } as const;
const LETTERS = ['a', 'b', 'c'];
const EXTRA_KEYS = ['x', 'y'];
const WORDS = ['a', 'b', 'c', 'd'];

const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arbitrary, { nil: undefined });
const defined = (schema: Record<string, unknown>): Schema => Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined));

const stringSchema = fc
  .record({ nullable: fc.boolean(), minLength: optional(fc.integer({ min: 0, max: 2 })), extra: optional(fc.integer({ min: 0, max: 4 })), pattern: optional(fc.constantFrom(...Object.keys(PATTERNS))) })
  .map(({ nullable, minLength, extra, pattern }) => defined({ type: nullable ? ['string', 'null'] : 'string', minLength, maxLength: extra === undefined ? undefined : (minLength ?? 0) + extra, pattern }));

const numberSchema = fc
  .record({ type: fc.constantFrom('integer', 'number'), minimum: optional(fc.integer({ min: -5, max: 0 })), maximum: optional(fc.integer({ min: 1, max: 6 })), multipleOf: optional(fc.constantFrom(2, 3)) })
  .map(defined);

const enumSchema = fc.uniqueArray(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((values): Schema => ({ enum: values }));

const leafSchema: fc.Arbitrary<Schema> = fc.oneof(stringSchema, numberSchema, enumSchema, fc.constant<Schema>({ type: 'boolean' }));

const arraySchema = fc
  .record({ items: leafSchema, maxItems: optional(fc.integer({ min: 1, max: 3 })), uniqueItems: optional(fc.constant(true)) })
  .map(defined)
  .map((schema): Schema => ({ type: 'array', ...schema }));

const objectSchema = (value: fc.Arbitrary<Schema>): fc.Arbitrary<Schema> =>
  fc
    .record({
      properties: fc.dictionary(fc.constantFrom('p', 'q', 'r'), value, { maxKeys: 3 }),
      requiredMask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      additionalProperties: fc.oneof(fc.constant(false), stringSchema),
    })
    .map(({ properties, requiredMask, additionalProperties }) => {
      const required = Object.keys(properties).filter((_, index) => requiredMask[index]);
      return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties };
    });

const payloadSchema = objectSchema(fc.oneof(leafSchema, arraySchema, objectSchema(leafSchema)));

/** One change somewhere in `schema`: a keyword set, removed or changed, a property added or removed. */
function mutation(schema: Schema): fc.Arbitrary<Schema> {
  const local: fc.Arbitrary<Schema>[] = [
    leafSchema,
    fc.constantFrom('minLength', 'maxLength', 'minimum', 'maximum', 'maxItems', 'multipleOf', 'pattern', 'uniqueItems', 'type').map((keyword) => {
      const { [keyword]: _removed, ...rest } = schema;
      return rest;
    }),
    fc.record({ keyword: fc.constantFrom('minLength', 'maxLength', 'minimum', 'maximum', 'maxItems', 'minItems'), value: fc.integer({ min: 0, max: 6 }) }).map(({ keyword, value }) => ({ ...schema, [keyword]: value })),
    fc.constantFrom<unknown>('string', ['string', 'null'], 'integer', 'number', ['number', 'null']).map((type) => ({ ...schema, type })),
    fc.constantFrom(...Object.keys(PATTERNS)).map((pattern) => ({ ...schema, pattern })),
  ];
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as string[];
    local.push(fc.constantFrom(...WORDS).map((word) => ({ ...schema, enum: values.includes(word) ? (values.length > 1 ? values.filter((value) => value !== word) : values) : [...values, word] })));
  }
  if (schema.type === 'array') local.push(mutation(schema.items as Schema).map((items) => ({ ...schema, items })));
  if (schema.type === 'object') local.push(...objectMutations(schema));
  return fc.oneof(...local);
}

function objectMutations(schema: Schema): fc.Arbitrary<Schema>[] {
  const properties = schema.properties as Record<string, Schema>;
  const required = (schema.required as string[] | undefined) ?? [];
  const withRequired = (names: string[]): Schema => {
    const { required: _old, ...rest } = schema;
    return names.length > 0 ? { ...rest, required: names } : rest;
  };
  const names = Object.keys(properties);
  const changes: fc.Arbitrary<Schema>[] = [
    fc.record({ name: fc.constantFrom('p', 'q', 'r', 's'), value: leafSchema, required: fc.boolean() }).map(({ name, value, required: isRequired }) => ({
      ...withRequired(isRequired && !required.includes(name) ? [...required, name] : required),
      properties: { ...properties, [name]: value },
    })),
    fc.oneof(fc.constant(false), stringSchema, fc.constant({ type: 'string', maxLength: 1 })).map((additionalProperties) => ({ ...schema, additionalProperties })),
  ];
  if (names.length === 0) return changes;
  const name = fc.constantFrom(...names);
  changes.push(
    name.chain((picked) => mutation(properties[picked]!).map((value) => ({ ...schema, properties: { ...properties, [picked]: value } }))),
    name.map((picked) => {
      const { [picked]: _removed, ...rest } = properties;
      return { ...withRequired(required.filter((entry) => entry !== picked)), properties: rest };
    }),
    name.map((picked) => withRequired(required.includes(picked) ? required.filter((entry) => entry !== picked) : [...required, picked])),
  );
  return changes;
}

/** Payloads of the old schema: most valid under it, a few at its edges; the property only counts the valid ones. */
function payload(schema: Schema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  return fc.oneof(...types.map((type) => valueOf(type, schema)));
}

function valueOf(type: string, schema: Schema): fc.Arbitrary<unknown> {
  const count = (keyword: string, fallback: number): number => (typeof schema[keyword] === 'number' ? (schema[keyword] as number) : fallback);
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'string': {
      const pattern = schema.pattern as keyof typeof PATTERNS | undefined;
      const unit = fc.constantFrom(...(pattern === undefined ? LETTERS : PATTERNS[pattern]));
      const text = fc.string({ unit, minLength: count('minLength', 0), maxLength: count('maxLength', 6) });
      return pattern === '^a' ? text.map((value) => `a${value}`) : text;
    }
    case 'integer':
    case 'number': {
      const step = count('multipleOf', 1);
      const whole = fc.integer({ min: Math.ceil(count('minimum', -8) / step), max: Math.floor(count('maximum', 8) / step) }).map((value) => value * step);
      return type === 'integer' ? whole : fc.oneof(whole, fc.double({ min: count('minimum', -8), max: count('maximum', 8), noNaN: true }));
    }
    case 'array':
      return fc.array(payload(schema.items as Schema), { maxLength: count('maxItems', 4) });
    default:
      return objectPayload(schema);
  }
}

function objectPayload(schema: Schema): fc.Arbitrary<unknown> {
  const properties = schema.properties as Record<string, Schema>;
  const required = (schema.required as string[] | undefined) ?? [];
  const named = fc.record(Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, payload(value)])), { requiredKeys: required });
  const extra = schema.additionalProperties === false ? fc.constant({}) : fc.dictionary(fc.constantFrom(...EXTRA_KEYS), payload(schema.additionalProperties as Schema), { maxKeys: 2 });
  return fc.tuple(named, extra).map(([own, more]) => ({ ...more, ...own }));
}

function spec(schema: JsonSchema, file: string, history?: JsonSchema) {
  // With a history: version 2, and version 1 kept under `history` with a migration to 2.
  const versions = history === undefined ? '' : `    version: 2\n    history:\n      1:\n        schema: ${JSON.stringify(history)}\n        migrate: { module: ./migrations.js, export: userV1toV2 }\n`;
  return loadSpecText(`version: 1\nkeys:\n  main: { env: KEYS }\nsessions:\n  user:\n    transform: [{ encrypt: main }]\n${versions}    schema: ${JSON.stringify(schema)}\n`, file);
}

/**
 * Whether the check calls the change breaking. A change can make a spec `gen` refuses (a `pattern` left
 * on a type changed to `integer`, which the rules or ajv's strict mode refuse): no deploy has it, so the
 * pair is skipped.
 */
function breaking(before: Schema, after: Schema, history?: Schema): boolean {
  const old = spec(before, 'old.yaml');
  const now = spec(after, 'new.yaml', history);
  if (!old.ok) throw new Error(`the generated schema is not a valid spec: ${JSON.stringify(old.errors)}`);
  fc.pre(now.ok && compiles(after) && (history === undefined || compiles(history)));
  return compareSpecs(old, now).some((finding) => finding.status === 'breaking');
}

const ajv = createPayloadAjv();

function compiles(schema: Schema): boolean {
  try {
    ajv.compile(schema);
    return true;
  } catch {
    return false;
  }
}

/** Every generated payload valid under `before` is valid under `after`. */
function payloadsStayValid(before: Schema, after: Schema): fc.IPropertyWithHooks<[unknown]> {
  const validBefore = ajv.compile(before);
  const validAfter = ajv.compile(after);
  return fc.property(payload(before), (value) => !validBefore(value) || validAfter(value));
}

// The session's own schema stays an object schema: `gen` refuses any other.
const pairs = payloadSchema.chain((before) => fc.oneof(...objectMutations(before)).map((after) => ({ before, after })));

describe('compareSpecs is sound', () => {
  it('a change it calls compatible keeps every old payload valid', () => {
    let compatible = 0;
    fc.assert(
      fc.property(pairs, ({ before, after }) => {
        if (breaking(before, after)) return;
        compatible++;
        fc.assert(payloadsStayValid(before, after), { numRuns: 60 });
      }),
      { numRuns: 150 },
    );
    // Not vacuous: enough random changes pass the check for the inner property to have been tried.
    expect(compatible).toBeGreaterThan(15);
  });

  // A live payload written under version 1 is read under history 1 and migrated from there
  // (runtime/payload-versions.ts): valid under history 1 is what keeps it, whatever the current schema says.
  it('with the version raised, a change it calls compatible keeps every old payload valid under history of the old version', () => {
    const versioned = pairs.chain(({ before, after }) => fc.oneof(...objectMutations(before)).map((current) => ({ before, history: after, current })));
    let compatible = 0;
    let covered = 0;
    fc.assert(
      fc.property(versioned, ({ before, history, current }) => {
        if (breaking(before, current, history)) return;
        compatible++;
        if (breaking(before, current)) covered++;
        fc.assert(payloadsStayValid(before, history), { numRuns: 60 });
      }),
      { numRuns: 150 },
    );
    expect(compatible).toBeGreaterThan(15);
    // Not only unchanged current schemas: some changes pass only because the migration covers them.
    expect(covered).toBeGreaterThan(5);
  });

  it('the payload property finds a counterexample to a breaking change', () => {
    const before = { type: 'object', properties: { s: { type: 'string', maxLength: 5 } }, required: ['s'], additionalProperties: false };
    const after = { ...before, properties: { s: { type: 'string', maxLength: 2 } } };
    expect(breaking(before, after)).toBe(true);
    expect(fc.check(payloadsStayValid(before, after), { numRuns: 100 }).failed).toBe(true);
  });

  it('without the check, random changes break old payloads', () => {
    const stillValid = ({ before, after }: { before: Schema; after: Schema }): boolean => {
      fc.pre(spec(after, 'new.yaml').ok && compiles(after));
      return !fc.check(payloadsStayValid(before, after), { numRuns: 30 }).failed;
    };
    const result = fc.check(fc.property(pairs, stillValid), { numRuns: 150 });
    // A pair whose payloads break, not a predicate that threw.
    expect(result.counterexample !== null && !stillValid(result.counterexample[0])).toBe(true);
  });
});
