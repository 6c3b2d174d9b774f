/**
 * ajv's standalone code (https://ajv.js.org/standalone.html), made into part of a generated TypeScript
 * module. The edits are made on the parsed code, never by searching its text, since the schemas it holds
 * carry the spec's strings (security.md #60):
 * - each `require(...)` of ajv's runtime helpers or of ajv-formats becomes the helper's name, imported
 *   from `typed-sessions/validators`, which vendors them; any other `require` is refused;
 * - ajv writes each schema as JSON, and in an object literal a `"__proto__":` key sets the prototype
 *   instead of a property, so a `const` or `enum` value with that key would be checked against another
 *   value than the one written: such a key is written computed, `["__proto__"]`, and stays a property;
 * - each export gets its type, `CompiledValidator`;
 * - the `"use strict"` directive goes: an ES module is strict already, and it would no longer be first.
 */
import { ts } from './print.js';

/** The entry of the runtime that provides what ajv's code requires. */
export const HELPERS_SPECIFIER = 'typed-sessions/validators';

/**
 * What ajv's standalone code requires, and the export of `typed-sessions/validators` that stands in for
 * it. These are all it can require for the payload schema subset: string lengths (`minLength`,
 * `maxLength`), deep equality (`const`, `enum`, `uniqueItems` of objects) and the formats that are
 * functions; a `pattern` and the formats that are regular expressions are written inline.
 */
const HELPERS: Readonly<Record<string, string>> = {
  'require("ajv/dist/runtime/ucs2length").default': 'ucs2length',
  'require("ajv/dist/runtime/equal").default': 'equal',
  'require("ajv-formats/dist/formats").fullFormats': 'formats',
};

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * @example
 * rewriteStandaloneCode('"use strict";export const validateA = validate10;const func2 = require("ajv/dist/runtime/ucs2length").default;...');
 * // { code: 'export const validateA: CompiledValidator = validate10;const func2 = ucs2length;...', helpers: ['ucs2length'] }
 */
export function rewriteStandaloneCode(standalone: string): { code: string; helpers: string[] } {
  const source = ts.createSourceFile('standalone.js', standalone, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: Edit[] = [];
  const helpers = new Set<string>();
  const replace = (node: ts.Node, text: string) => edits.push({ start: node.getStart(source), end: node.end, text });

  for (const statement of source.statements) {
    if (ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression) && statement.expression.text === 'use strict') {
      replace(statement, '');
    } else if (ts.isVariableStatement(statement) && statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) {
      for (const { name } of statement.declarationList.declarations) edits.push({ start: name.end, end: name.end, text: ': CompiledValidator' });
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isRequire(node.expression)) {
      const call = node.getText(source);
      const helper = Object.hasOwn(HELPERS, call) ? HELPERS[call]! : undefined;
      if (helper === undefined) throw unprovided(call);
      helpers.add(helper);
      replace(node, helper);
      return;
    }
    if (isRequire(node)) throw unprovided(node.getText(source));
    if (ts.isPropertyAssignment(node) && (ts.isStringLiteral(node.name) || ts.isIdentifier(node.name)) && node.name.text === '__proto__') {
      replace(node.name, '["__proto__"]');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  return { code: applyEdits(standalone, edits), helpers: [...helpers].sort() };
}

/** `text` with each edit's span replaced; spans do not overlap. */
function applyEdits(text: string, edits: readonly Edit[]): string {
  const pieces: string[] = [];
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    pieces.push(text.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

function unprovided(call: string): Error {
  return new Error(`ajv's standalone code needs ${call}, which ${HELPERS_SPECIFIER} does not provide; please report this with the schema`);
}

function isRequire(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require';
}
