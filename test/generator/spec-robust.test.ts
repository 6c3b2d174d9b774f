/**
 * The validator reads untrusted shapes: whatever the spec holds, `loadSpecText` answers with a model or
 * with positioned errors, and never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSpecText } from '../../generator/spec.js';

function expectAnswer(text: string): void {
  const result = loadSpecText(text, 'sessions.yaml');
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const error of result.errors) {
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.line).toBeLessThanOrEqual(lines);
    expect(error.col).toBeGreaterThanOrEqual(1);
    expect(error.message).not.toBe('');
  }
}

const anyValue = fc.jsonValue({ maxDepth: 3 });

/** A valid session, with one of its fields (possibly nested) replaced by an arbitrary value. */
const sessionFields = fc.record({
  transport: fc.oneof(fc.constantFrom('cookie', 'header'), anyValue),
  name: fc.oneof(fc.string(), anyValue),
  storage: fc.oneof(fc.constant('mem'), anyValue),
  transform: fc.oneof(fc.constant([{ encrypt: 'main' }]), fc.array(anyValue, { maxLength: 3 }), anyValue),
  cookie: fc.oneof(fc.dictionary(fc.constantFrom('path', 'domain', 'secure', 'sameSite', 'partitioned'), anyValue), anyValue),
  expiry: fc.oneof(fc.dictionary(fc.constantFrom('maxAge', 'idle', 'rolling'), anyValue), anyValue),
  serializer: fc.oneof(fc.record({ module: anyValue, export: anyValue }), anyValue),
  schema: fc.oneof(
    fc.record({
      type: anyValue,
      properties: fc.oneof(fc.dictionary(fc.string(), anyValue), anyValue),
      required: anyValue,
      additionalProperties: anyValue,
      $ref: anyValue,
      oneOf: anyValue,
      pattern: anyValue,
    }),
    anyValue,
  ),
}, { requiredKeys: [] });

describe('loadSpecText on arbitrary input', () => {
  it('answers any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), expectAnswer), { numRuns: 300 });
  });

  it('answers any shape in any field', () => {
    const spec = fc.record({
      version: fc.oneof(fc.constant(1), anyValue),
      keys: fc.oneof(fc.constant({ main: { env: 'SESSION_KEYS' } }), anyValue),
      storages: fc.oneof(fc.constant({ mem: { kind: 'memory' } }), anyValue),
      types: fc.oneof(fc.dictionary(fc.constantFrom('A', 'B', 'UserSession'), anyValue), anyValue),
      sessions: fc.oneof(fc.dictionary(fc.constantFrom('user', 'cart', 'x_y'), sessionFields), anyValue),
    });
    fc.assert(fc.property(spec, (value) => expectAnswer(stringify(value))), { numRuns: 500 });
  });
});
