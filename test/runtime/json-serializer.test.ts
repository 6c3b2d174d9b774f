/**
 * The JSON serializer's read-side scan (runtime/serializer/json.ts) against an oracle: texts built from
 * objects written as lists of (name, value) pairs, names free to repeat and full of quotes and backslashes.
 * A read refuses exactly the texts where some object repeats a name (security.md #63), and reads every other
 * text as JSON.parse does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonSerializer } from '../../runtime/serializer/json.js';

type Node = { kind: 'leaf'; value: string | number | boolean | null } | { kind: 'array'; items: Node[] } | { kind: 'object'; pairs: [string, Node][] };

const name = fc.oneof(fc.constantFrom('a', 'b', '"', '\\', '\\"', 'a\\', '":', 'x:y', '\\\\"'), fc.string({ maxLength: 4 }));
const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null)).map((value) => ({ kind: 'leaf' as const, value })),
    fc.array(tie('node'), { maxLength: 3 }).map((items) => ({ kind: 'array' as const, items })),
    fc.array(fc.tuple(name, tie('node')), { maxLength: 4 }).map((pairs) => ({ kind: 'object' as const, pairs })),
  ),
})).node;

function render(node: Node): string {
  if (node.kind === 'leaf') return JSON.stringify(node.value);
  if (node.kind === 'array') return `[${node.items.map(render).join(',')}]`;
  return `{${node.pairs.map(([key, value]) => `${JSON.stringify(key)}:${render(value)}`).join(',')}}`;
}

function repeatsAName(node: Node): boolean {
  if (node.kind === 'leaf') return false;
  if (node.kind === 'array') return node.items.some(repeatsAName);
  const names = node.pairs.map(([key]) => key);
  return new Set(names).size !== names.length || node.pairs.some(([, value]) => repeatsAName(value));
}

describe('JSON serializer, reading', () => {
  const serializer = createJsonSerializer('scratch');

  it('refuses a text exactly when an object in it repeats a name, and otherwise reads what JSON.parse reads', () => {
    fc.assert(
      fc.property(
        tree.filter((node) => !JSON.stringify(node).includes('__proto__') && !JSON.stringify(node).includes('constructor')),
        (node) => {
          const text = render(node);
          if (repeatsAName(node)) expect(() => serializer.decode(text)).toThrow('repeats a property name');
          else expect(serializer.decode(text)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a backslash run before a quote inside a name is counted, so the name ends where JSON says', () => {
    expect(serializer.decode('{"a\\\\":1,"b":{"c\\"":2}}')).toEqual({ 'a\\': 1, b: { 'c"': 2 } });
    expect(() => serializer.decode('{"a\\\\":1,"a\\\\":2}')).toThrow('repeats a property name');
  });
});
