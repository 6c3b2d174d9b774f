/** The small pieces of TypeScript syntax every emitter needs: quoted strings and property names. */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A single-quoted TypeScript string literal, escaped like JSON (which TypeScript reads the same way).
 *
 * @example
 * stringLiteral("it's"); // "'it\\'s'"
 */
export function stringLiteral(value: string): string {
  const inner = JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${inner}'`;
}

/**
 * A property name as written in an object literal or type: bare when it is an identifier, quoted otherwise.
 *
 * @example
 * propertyName('userId');       // 'userId'
 * propertyName('content-type'); // "'content-type'"
 */
export function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : stringLiteral(name);
}
