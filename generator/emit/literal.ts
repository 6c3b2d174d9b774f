/**
 * Data -> TypeScript literal text, for the definition objects in generated code and for `enum`/`const`
 * literal types. Keys keep their insertion order, so spec order is output order.
 */
import { propertyName, stringLiteral } from './tokens.js';

/** Code to print as is inside a literal, such as the identifier of an imported serializer. */
export class CodeExpression {
  constructor(readonly text: string) {}
}

/** What `literal` prints; `undefined` properties are left out, so optional fields can be written inline. */
export type LiteralValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | CodeExpression
  | readonly LiteralValue[]
  | { readonly [key: string]: LiteralValue };

/**
 * Prints a value as a TypeScript literal. For JSON data the text is also a valid literal type.
 *
 * @example
 * literal({ kind: 'memory', maxEntries: 10, path: undefined }); // "{ kind: 'memory', maxEntries: 10 }"
 * literal({ serializer: new CodeExpression('userCodec') });       // '{ serializer: userCodec }'
 */
export function literal(value: LiteralValue): string {
  if (value instanceof CodeExpression) return value.text;
  if (typeof value === 'string') return stringLiteral(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return String(value);
  if (isLiteralArray(value)) return `[${value.map(literal).join(', ')}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => `${propertyName(key)}: ${literal(item)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

// `Array.isArray` does not narrow readonly arrays out of a union.
function isLiteralArray(value: object): value is readonly LiteralValue[] {
  return Array.isArray(value);
}
