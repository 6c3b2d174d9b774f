/**
 * Data -> TypeScript literal text, for the definition objects in generated code and for `enum`/`const`
 * literal types. Keys keep their insertion order, so spec order is output order.
 */
import { propertyName, stringLiteral } from './tokens.js';

/** Code to print as is inside a literal, such as the identifier of an imported serializer. */
export class CodeExpression {
  constructor(readonly text: string) {}
}

/**
 * Prints data as a TypeScript literal: what YAML parses to (strings, numbers, booleans, null, lists and
 * mappings), the model's nodes, which are such data, and `CodeExpression`s. `undefined` properties are left
 * out, so optional fields can be written inline. For JSON data the text is also a valid literal type.
 * Anything else (a function, a symbol) has no literal and is refused rather than printed as its source.
 *
 * @example
 * literal({ kind: 'memory', maxEntries: 10, path: undefined }); // "{ kind: 'memory', maxEntries: 10 }"
 * literal({ serializer: new CodeExpression('userCodec') });       // '{ serializer: userCodec }'
 */
export function literal(value: unknown): string {
  if (value instanceof CodeExpression) return value.text;
  if (typeof value === 'string') return stringLiteral(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value !== 'object') throw new TypeError(`literal: a ${typeof value} is not data and has no literal`);
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => `${propertyName(key)}: ${literal(item)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}
