/**
 * The one door to ts-morph: emitters build ts-morph structures (plain data) and print them here with
 * `printStructure`, which writes text without parsing or building a Project. Nothing else in the
 * generator imports ts-morph. Its bundled TypeScript (`ts`) parses the one code we do not print, ajv's.
 */
import { printStructure, StructureKind, ModuleDeclarationKind, VariableDeclarationKind, ts } from 'ts-morph';
import type {
  ClassDeclarationStructure,
  FunctionDeclarationStructure,
  ImportDeclarationStructure,
  IndexSignatureDeclarationStructure,
  InterfaceDeclarationStructure,
  ModuleDeclarationStructure,
  PropertySignatureStructure,
  StatementStructures,
  TypeAliasDeclarationStructure,
  VariableStatementStructure,
} from 'ts-morph';

export { StructureKind, ModuleDeclarationKind, VariableDeclarationKind, ts };
export type {
  ClassDeclarationStructure,
  FunctionDeclarationStructure,
  ImportDeclarationStructure,
  InterfaceDeclarationStructure,
  ModuleDeclarationStructure,
  TypeAliasDeclarationStructure,
  VariableStatementStructure,
};

/** A top-level statement: a structure, or raw text such as the header comment. */
export type Statement = StatementStructures | string;

/** A type member of an interface or an inline object type. */
export type TypeMember = PropertySignatureStructure | IndexSignatureDeclarationStructure;

// Prettier reformats everything afterwards; these only keep the raw text readable when debugging.
const PRINT_OPTIONS = { indentNumberOfSpaces: 2, useSingleQuote: true } as const;

/**
 * Prints a whole source file from its statements, in order.
 *
 * @example
 * printSourceFile(['// header', { kind: StructureKind.TypeAlias, name: 'Id', type: 'string' }]);
 */
export function printSourceFile(statements: readonly Statement[]): string {
  return printStructure({ kind: StructureKind.SourceFile, statements: [...statements] }, PRINT_OPTIONS);
}

/**
 * The JavaScript of a generated TypeScript file: its types erased by ts-morph's TypeScript, nothing else
 * changed (ES2022 classes and modules, as Node 20 runs them). Comments of statements that are erased
 * (`import type`, interfaces) go with them, so the caller puts the header back.
 *
 * @example
 * eraseTypes("import type { A } from 'a';\nexport const b: number = 1;"); // 'export const b = 1;\n'
 */
export function eraseTypes(text: string): string {
  const { outputText } = ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, useDefineForClassFields: true },
  });
  return outputText;
}

/**
 * Prints an inline object type (`{ a: string; b?: number }`) from the same members an interface takes.
 *
 * @example
 * printObjectType([{ kind: StructureKind.PropertySignature, name: 'a', type: 'string' }]); // '{ a: string; }'
 */
export function printObjectType(members: readonly TypeMember[]): string {
  if (members.length === 0) return '{}';
  return `{ ${members.map((member) => printStructure(member, PRINT_OPTIONS)).join(' ')} }`;
}

/**
 * JSDoc text from a schema `description`. `printStructure` copies text verbatim, so a closing star-slash
 * inside a description would end the comment early and turn the rest into code.
 *
 * @example
 * docText('Use a, b or c.'); // 'Use a, b or c.' (only a star-slash is changed, to star-backslash-slash)
 */
export function docText(description: string): string {
  return description.replaceAll('*/', '*\\/');
}
