/**
 * Generator inputs are data, never code (security.md #60): whatever strings a spec holds (its file name,
 * descriptions, enum and const values, patterns, module paths), the generated module prints them escaped
 * for where they land, and importing it runs nothing but the generated code.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyOutput, compareOutput, generate, loadSpecFile, loadSpecText, type SpecModel } from '../../generator/index.js';
import { equal } from '../../runtime/validators/ajv-runtime.js';

const repo = resolve(import.meta.dirname, '../..');

declare global {
  // Set by any injected code that runs; no test's own code ever sets it.
  var __pwned: string | undefined;
}

/** What the runtime, and the JSON Schema, mean by the `const` below: a `__proto__` key that is data. */
const PROTO_CONST = JSON.parse('{"__proto__": {"polluted": true}, "it\'s": "`${globalThis.__pwned = \'const\'}`"}');

const HOSTILE_ENUM = [
  "it's",
  'say "hi"',
  '`${globalThis.__pwned = "template"}`',
  '\u2028 */ globalThis.__pwned = "enum"; /* \u2029',
  "\\'; globalThis.__pwned = 'backslash'; '",
  '\r\n',
  '__proto__',
];

// Before #60 its line breaks ended the header comment, so its second line ran on import; the backtick
// opens a template literal that the title's closes, so the rest of the file still parsed.
const HOSTILE_FILE_NAME = 'sessions\nglobalThis.__pwned = "file name";\n`.yaml';

const HOSTILE_SCHEMA = {
  title: '`; /*',
  description: '*/ globalThis.__pwned = "description"; /*',
  type: 'object',
  properties: {
    choice: { description: 'a \u2028 */ globalThis.__pwned = "property"; // \u2029 b', enum: HOSTILE_ENUM },
    fixed: { const: PROTO_CONST },
    code: { type: 'string', pattern: "^a/b\n\\n'`\\$\\{x\\}`\u2028/$" },
  },
  additionalProperties: false,
};

// Quotes and `${}` in the codec's path: the import must still find that one file.
const HOSTILE_CODEC_FILE = 'co\'de "${globalThis.__pwned = "module path"}".ts';

function hostileSpec(): string {
  return stringify({
    version: 1,
    keys: { main: { env: 'SESSION_KEYS' } },
    sessions: {
      user: {
        transform: [{ encrypt: 'main' }],
        serializer: { module: `./codecs/${HOSTILE_CODEC_FILE}`, export: 'hostileCodec' },
        schema: HOSTILE_SCHEMA,
      },
    },
  });
}

const CODEC = `import type { Serializer } from 'typed-sessions';
export const hostileCodec: Serializer<unknown> = { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) };
`;

/** TypeScript's diagnostics for one file compiled with the repo's settings, as `TS1234: message`. */
function typeCheck(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(repo, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram({ rootNames: [file], options: { ...config.options, noEmit: true } });
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
    (diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
}

describe('#60 a hostile spec, generated, type-checked and imported', () => {
  // Inside the repo (tmp/ is git-ignored) so the generated module resolves `koa` and `typed-sessions`.
  let dir: string;
  let entry: string;
  beforeAll(async () => {
    await mkdir(join(repo, 'tmp'), { recursive: true });
    dir = await mkdtemp(join(repo, 'tmp', 'hostile-spec-'));
    await mkdir(join(dir, 'codecs'));
    await writeFile(join(dir, 'codecs', HOSTILE_CODEC_FILE), CODEC);
    await writeFile(join(dir, HOSTILE_FILE_NAME), hostileSpec());
    const loaded = await loadSpecFile(join(dir, HOSTILE_FILE_NAME));
    if (!loaded.ok) throw new Error(`the hostile spec is invalid:\n${JSON.stringify(loaded.errors, null, 2)}`);
    const outDir = join(dir, 'generated');
    const files = await generate(loaded.model, { specDir: dir, outDir });
    await applyOutput(outDir, files, await compareOutput(outDir, files));
    entry = join(outDir, 'index.ts');
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('#60 the generated module type-checks', () => {
    expect(typeCheck(entry)).toEqual([]);
  }, 60_000);

  it('#60 importing it runs no code from the spec, and every value arrives exactly as written', async () => {
    globalThis.__pwned = undefined;
    // Checked before the import's own outcome: injected code runs first and may break what follows it.
    const generated = await import(pathToFileURL(entry).href).catch((error: unknown) => error);
    expect(globalThis.__pwned).toBeUndefined();
    expect(generated).not.toBeInstanceOf(Error);
    const codec = await import(pathToFileURL(join(dir, 'codecs', HOSTILE_CODEC_FILE)).href);

    const { definition } = generated.UserSessionProvider;
    const schema = definition.schema;
    expect(schema.title).toBe(HOSTILE_SCHEMA.title);
    expect(schema.description).toBe(HOSTILE_SCHEMA.description);
    expect(schema.properties.choice).toEqual(HOSTILE_SCHEMA.properties.choice);
    expect(schema.properties.code.pattern).toBe(HOSTILE_SCHEMA.properties.code.pattern);
    const fixed = schema.properties.fixed.const;
    expect(Object.getPrototypeOf(fixed)).toBe(Object.prototype);
    expect(Object.keys(fixed)).toEqual(['__proto__', "it's"]);
    expect(JSON.stringify(fixed)).toBe(JSON.stringify(PROTO_CONST));
    expect(definition.serializer).toBe(codec.hostileCodec);
    // The compiled validator holds the same value: the `__proto__` key is one the payload must have.
    expect(definition.validate({ fixed: PROTO_CONST })).toBe(true);
    expect(definition.validate({ fixed: { "it's": PROTO_CONST["it's"] } })).toBe(false);
  });
});

/** A small valid model to vary: one by-value session with a codec, its payload a shared type. */
function baseModel(): SpecModel {
  const loaded = loadSpecText(
    stringify({
      version: 1,
      keys: { main: { env: 'SESSION_KEYS' } },
      types: { Item: { type: 'object', properties: { id: { type: 'string' } }, additionalProperties: false } },
      sessions: {
        user: {
          transform: [{ sign: 'main' }],
          serializer: { module: './codec.ts', export: 'codec' },
          schema: { $ref: '#/types/Item' },
        },
      },
    }),
    'sessions.yaml',
  );
  if (!loaded.ok) throw new Error(`the base spec is invalid:\n${JSON.stringify(loaded.errors, null, 2)}`);
  return loaded.model;
}

const GENERATE_OPTIONS = { specDir: '/app', outDir: '/app/generated' };
const INJECTED = 'A {} globalThis.__pwned = "name"; interface B';

describe('#60 the spec file name in the header', () => {
  it.each([
    { given: 'sessions.yaml', want: 'sessions.yaml' },
    { given: 'my sessions (v2).yaml', want: 'my sessions (v2).yaml' },
    { given: 'a\nglobalThis.__pwned = 1;\n.yaml', want: '"a\\nglobalThis.__pwned = 1;\\n.yaml"' },
    { given: 'a\rb.yaml', want: '"a\\rb.yaml"' },
    { given: 'a\u2028b\u2029c.yaml', want: '"a\\u2028b\\u2029c.yaml"' },
    { given: 'say "hi".yaml', want: '"say \\"hi\\".yaml"' },
    { given: 'back\\slash.yaml', want: '"back\\\\slash.yaml"' },
  ])('#60 $given is shown as $want, on the first line only', async ({ given, want }) => {
    const text = (await generate({ ...baseModel(), specFileName: given }, GENERATE_OPTIONS)).get('index.ts')!;
    const [header, next] = text.split(/\r\n|[\n\r\u2028\u2029]/, 2);
    expect(header).toBe(`// Code generated by typed-sessions from ${want}. DO NOT EDIT.`);
    expect(next).toMatch(/^import /);
  });
});

describe('#60 names printed as identifiers', () => {
  // A model from loadSpecFile only has identifiers here; `generate` also takes a model built by hand.
  it.each<{ name: string; edit: (model: SpecModel) => SpecModel; want: RegExp }>([
    {
      name: 'a type name',
      edit: (model) => ({ ...model, types: [{ name: INJECTED, schema: { type: 'string' } }] }),
      want: /type name "A \{\} globalThis.__pwned = \\"name\\"; interface B": it is not a JavaScript identifier/,
    },
    {
      name: 'a session type name',
      edit: (model) => ({ ...model, sessions: model.sessions.map((session) => ({ ...session, typeName: INJECTED })) }),
      want: /type name "A \{\} .*": it is not a JavaScript identifier/,
    },
    {
      name: 'a provider class name',
      edit: (model) => ({ ...model, sessions: model.sessions.map((session) => ({ ...session, providerName: INJECTED })) }),
      want: /class name "A \{\} .*": it is not a JavaScript identifier/,
    },
    {
      name: 'a serializer export',
      edit: (model) => ({
        ...model,
        sessions: model.sessions.map((session) => ({
          ...session,
          serializer: { kind: 'module', module: './codec.ts', export: "codec } from 'x'; globalThis.__pwned = 1; import { y" },
        })),
      }),
      want: /serializer export "codec \} from .*": it is not a JavaScript identifier/,
    },
    {
      name: 'a $ref target',
      edit: (model) => ({
        ...model,
        sessions: model.sessions.map((session) => ({ ...session, schema: { $ref: `#/types/${INJECTED}` } })),
      }),
      want: /\$ref "#\/types\/A \{\} .*"/,
    },
  ])('#60 $name that is not an identifier is refused, not printed', async ({ edit, want }) => {
    await expect(generate(edit(baseModel()), GENERATE_OPTIONS)).rejects.toThrow(want);
  });
});

/** Strings made of the pieces that end comments, strings and templates, and of anything else. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.constantFrom('*/', '/*', '//', '\n', '\r', '\r\n', '\u2028', '\u2029', '`', '${', '}', "'", '"', '\\', '__proto__'),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileText,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constant('__proto__'), hostileText), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** The top-level statements of a TypeScript text, by kind: what injected code would add to. */
function statementKinds(source: ts.SourceFile): string[] {
  return source.statements.map((statement) => ts.SyntaxKind[statement.kind]);
}

/** The value a property of the generated definition literal evaluates to, as the runtime would see it. */
function definitionValue(source: ts.SourceFile, property: string): unknown {
  let found: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === property) found = node.initializer;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  if (found === undefined) throw new Error(`no "${property}:" in the generated definition`);
  return new Function(`return (${found.getText(source)});`)();
}

function isUnicodeRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The values of the schema constants ajv wrote into validators.ts, in order, as importing it would create them. */
function schemaConstants(source: ts.SourceFile): unknown[] {
  return source.statements
    .filter(ts.isVariableStatement)
    .flatMap((statement) => statement.declarationList.declarations)
    .filter((declaration) => /^schema\d+$/.test(declaration.name.getText(source)))
    .map((declaration) => new Function(`return (${declaration.initializer!.getText(source)});`)());
}

interface SpecStrings {
  readonly specFileName: string;
  readonly title: string;
  readonly description: string;
  readonly pattern: string;
  readonly values: readonly unknown[];
  readonly constant: unknown;
}

/** The base model with `strings` in its file name and in every string-bearing place of the payload schema. */
function modelWith(strings: SpecStrings): SpecModel {
  const { specFileName, title, description, pattern, values, constant } = strings;
  const schema = {
    title,
    description,
    type: 'object',
    properties: { e: { enum: values }, c: { const: constant }, p: { type: 'string', pattern } },
    additionalProperties: false,
  };
  const base = baseModel();
  return { ...base, specFileName, sessions: base.sessions.map((session) => ({ ...session, schema })) };
}

describe('#60 arbitrary strings in the spec', () => {
  it('#60 stay data: the same statements, the header on one line, every value back exactly, in the entry and the validators', async () => {
    const parse = (text: string, file = 'index.ts') => ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const generateText = async (model: SpecModel) => (await generate(model, GENERATE_OPTIONS)).get('index.ts')!;
    const transpileErrors = (text: string) =>
      (ts.transpileModule(text, { reportDiagnostics: true }).diagnostics ?? []).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    const plain = { specFileName: 'a.yaml', title: 't', description: 'd', pattern: 'p', values: ['v'], constant: 'c' };
    const baseline = statementKinds(parse(await generateText(modelWith(plain))));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          specFileName: hostileText,
          title: hostileText,
          description: hostileText,
          // What ajv compiles: a pattern valid with the u flag, enum values that differ (spec validation checks both).
          pattern: hostileText.filter(isUnicodeRegExp),
          // As YAML loads them: plain objects (fast-check also makes null-prototype ones, which ajv cannot compare).
          values: fc.uniqueArray(
            hostileJson.map((value) => JSON.parse(JSON.stringify(value)) as unknown),
            { minLength: 1, maxLength: 4, comparator: equal },
          ),
          constant: hostileJson,
        }),
        async (strings) => {
          const model = modelWith(strings);
          const files = await generate(model, GENERATE_OPTIONS);
          const text = files.get('index.ts')!;
          const source = parse(text);
          expect(transpileErrors(text)).toEqual([]);
          expect(statementKinds(source)).toEqual(baseline);
          expect(source.getLineAndCharacterOfPosition(source.statements[0]!.getStart(source)).line).toBe(1);
          expect(JSON.stringify(definitionValue(source, 'schema'))).toBe(JSON.stringify(model.sessions[0]!.schema));

          // JSON.stringify drops a `__proto__` key that became a prototype, so a misprinted one shows here.
          const validators = files.get('validators.ts')!;
          const validatorsSource = parse(validators, 'validators.ts');
          expect(transpileErrors(validators)).toEqual([]);
          // The header, then `// @ts-nocheck`, then the first statement.
          expect(validatorsSource.getLineAndCharacterOfPosition(validatorsSource.statements[0]!.getStart(validatorsSource)).line).toBe(2);
          expect(JSON.stringify(schemaConstants(validatorsSource)[0])).toBe(JSON.stringify(model.sessions[0]!.schema));
        },
      ),
      { numRuns: 50 },
    );
  }, 120_000);
});
