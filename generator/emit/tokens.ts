/**
 * The small pieces of TypeScript syntax every emitter needs: quoted strings, property names, identifiers.
 * Spec strings reach the generated code only through these (security.md #60).
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
 * A name the generated code declares or references as an identifier (a type, a class, an import). Unlike
 * a string, an identifier has no escaped form, so anything else is refused rather than printed. A model
 * from `loadSpecFile` always passes: the spec schema requires these names to be identifiers.
 *
 * @example
 * identifier('CartItem', 'type name');   // 'CartItem'
 * identifier('A {} run()', 'type name'); // throws TypeError
 */
export function identifier(name: string, what: string): string {
  if (isIdentifier(name)) return name;
  throw new TypeError(
    `cannot generate the ${what} ${JSON.stringify(name)}: it is not a JavaScript identifier (letters, digits, _ and $, not starting with a digit); load the spec with loadSpecFile, which checks every name`,
  );
}

/**
 * @example
 * isIdentifier('userId'); // true
 * isIdentifier('1st');    // false
 */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
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
  return isIdentifier(name) ? name : stringLiteral(name);
}
