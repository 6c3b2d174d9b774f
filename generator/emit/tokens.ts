/**
 * The small pieces of TypeScript syntax every emitter needs: quoted strings and property names. Spec
 * strings reach the generated code only through these (security.md #60).
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A single-quoted TypeScript string literal, escaped like JSON (which TypeScript reads the same way).
 * A trailing backslash is written `\x5c`: ts-morph's printer (code-block-writer) takes any quote after a
 * backslash for an escaped one, so after `\\'` it would think the string goes on, read later data as code,
 * and "close" a comment it imagines there by inserting `*\/` into the output.
 *
 * @example
 * stringLiteral("it's"); // "'it\\'s'"
 * stringLiteral('C:\\');  // "'C:\\x5c'"
 */
export function stringLiteral(value: string): string {
  const inner = JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${inner.endsWith('\\\\') ? `${inner.slice(0, -2)}\\x5c` : inner}'`;
}

/**
 * A property name as written in an object literal or type: bare when it is an identifier, quoted otherwise,
 * and computed for `__proto__`, the one name whose bare or quoted form in an object literal sets the new
 * object's prototype instead of a property (ECMA-262, PropertyDefinitionEvaluation); computed, it is a
 * plain data property like any other key of a `const` or `enum` value (security.md #60).
 *
 * @example
 * propertyName('userId');       // 'userId'
 * propertyName('content-type'); // "'content-type'"
 * propertyName('__proto__');    // "['__proto__']"
 */
export function propertyName(name: string): string {
  if (name === '__proto__') return `[${stringLiteral(name)}]`;
  return IDENTIFIER.test(name) ? name : stringLiteral(name);
}
