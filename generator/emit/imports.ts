/**
 * The generated file's imports: Koa's `Middleware` type, the runtime's core and the optional layers the
 * spec uses (by package specifiers, which resolve both inside this repo and from an installed package), the
 * generated validators, and the app's own serializer modules.
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { SessionNode, type SerializerModule, type SpecModel } from '../model.js';
import { FIXED_NAMES, LAYER_IMPORTS, RUNTIME_TYPE_IMPORTS, RUNTIME_VALUE_IMPORTS, VALIDATORS_NAMESPACE } from '../names.js';
import type { LayerKey } from './layers.js';
import { StructureKind, type ImportDeclarationStructure } from './print.js';
import { identifier } from './tokens.js';
import { VALIDATORS_SPECIFIER } from './validators.js';
import { ADMIN_TYPE_IMPORTS } from './sessions-admin.js';

const RUNTIME_SPECIFIER = 'typed-sessions/core';

/** One export of the app's own modules (a codec, a migration) the generated file imports, and the local name the definitions use for it. */
export interface SerializerImport {
  readonly specifier: string;
  readonly exportName: string;
  readonly localName: string;
}

/** The key of a migration's import in `planSerializerImports`'s map: the session and the version it migrates from. */
export function migrationImportKey(session: string, version: number): string {
  return `${session}@${version}`;
}

/**
 * The import each of the app's own exports needs: each session's module serializer under the session key,
 * each migration of its history under `migrationImportKey`. Uses of one export share one import; an export
 * whose name clashes with a generated name is imported under an alias.
 *
 * @example
 * planSerializerImports(model, (module) => serializerSpecifier(module, '.', 'generated'));
 * // Map { 'user' => { specifier: '../src/codec.js', exportName: 'userCodec', localName: 'userCodec' } }
 */
export function planSerializerImports(
  model: SpecModel,
  specifierFor: (module: string) => string,
): ReadonlyMap<string, SerializerImport> {
  const taken = new Set(['default', ...FIXED_NAMES, ...model.types.map((type) => type.name)]);
  for (const session of model.sessions) {
    taken.add(session.typeName).add(session.providerName);
    for (const old of session.history ?? []) taken.add(old.typeName);
    const current = SessionNode.currentVersionTypeName(session);
    if (current !== undefined) taken.add(current);
  }
  const planned = new Map<string, SerializerImport>();
  const byUse = new Map<string, SerializerImport>();
  const plan = (use: string, ref: SerializerModule, what: string): void => {
    const specifier = specifierFor(ref.module);
    const exportName = identifier(ref.export, what);
    const identity = JSON.stringify([specifier, exportName]);
    let planning = planned.get(identity);
    if (planning === undefined) {
      planning = { specifier, exportName, localName: freeName(exportName, taken) };
      taken.add(planning.localName);
      planned.set(identity, planning);
    }
    byUse.set(use, planning);
  };
  for (const session of model.sessions) {
    if (session.serializer !== undefined) plan(session.name, session.serializer, 'serializer export');
    for (const old of session.history ?? []) plan(migrationImportKey(session.name, old.version), old.migrate, 'migration export');
  }
  return byUse;
}

function freeName(wanted: string, taken: ReadonlySet<string>): string {
  let name = wanted;
  for (let suffix = 2; taken.has(name); suffix += 1) name = `${wanted}${suffix}`;
  return name;
}

/**
 * The module specifier for a serializer `module:` (relative to the spec's folder) as seen from the output
 * folder, with the extension a compiled import needs (`.ts` -> `.js`). Package names pass through.
 *
 * @example
 * serializerSpecifier('./src/codec.ts', '.', 'generated'); // '../src/codec.js'
 */
export function serializerSpecifier(module: string, specDir: string, outDir: string): string {
  if (isPackageName(module)) return module;
  const path = relative(resolve(outDir), resolve(specDir, module)).split(sep).join('/');
  return withCompiledExtension(path.startsWith('../') ? path : `./${path}`);
}

const COMPILED_EXTENSIONS: ReadonlyArray<readonly [string, string]> = [
  ['.d.ts', '.js'],
  ['.tsx', '.js'],
  ['.mts', '.mjs'],
  ['.cts', '.cjs'],
  ['.ts', '.js'],
];

function withCompiledExtension(path: string): string {
  const match = COMPILED_EXTENSIONS.find(([source]) => path.endsWith(source));
  return match === undefined ? path : path.slice(0, -match[0].length) + match[1];
}

/**
 * A serializer `module:` that names a package rather than a file.
 *
 * @example
 * isPackageName('@acme/codecs'); // true
 * isPackageName('./codec.js');   // false
 */
export function isPackageName(module: string): boolean {
  return !module.startsWith('.') && !isAbsolute(module);
}

/**
 * The files whose compiled form a path names, the path itself first: a TypeScript project imports
 * `codec.ts` as `./codec.js`.
 *
 * @example
 * sourceFilesOf('/app/codec.js'); // ['/app/codec.js', '/app/codec.d.ts', '/app/codec.tsx', '/app/codec.ts']
 */
export function sourceFilesOf(path: string): string[] {
  const sources = COMPILED_EXTENSIONS.filter(([, compiled]) => extname(path) === compiled).map(
    ([source, compiled]) => path.slice(0, -compiled.length) + source,
  );
  return [path, ...sources];
}

/**
 * @example
 * emitImports(planSerializerImports(model, specifierFor).values(), usedLayers(model));
 */
export function emitImports(serializers: Iterable<SerializerImport>, layers: readonly LayerKey[], admin = false): ImportDeclarationStructure[] {
  const bySpecifier = new Map<string, SerializerImport[]>();
  for (const serializer of serializers) {
    const group = bySpecifier.get(serializer.specifier) ?? [];
    if (!group.includes(serializer)) group.push(serializer);
    bySpecifier.set(serializer.specifier, group);
  }
  return [
    // With an admin side, installSessions() returns the runtime's SessionsMiddleware, and Koa's type goes unused.
    ...(admin ? [] : [{ kind: StructureKind.ImportDeclaration as const, moduleSpecifier: 'koa', isTypeOnly: true, namedImports: ['Middleware'] }]),
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: RUNTIME_SPECIFIER,
      namedImports: [...RUNTIME_VALUE_IMPORTS, ...[...RUNTIME_TYPE_IMPORTS, ...(admin ? ADMIN_TYPE_IMPORTS : [])].sort().map((name) => ({ name, isTypeOnly: true }))],
    },
    ...layers.map((layer) => ({
      kind: StructureKind.ImportDeclaration as const,
      moduleSpecifier: LAYER_IMPORTS[layer].specifier,
      namedImports: [LAYER_IMPORTS[layer].exportName],
    })),
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: VALIDATORS_SPECIFIER, namespaceImport: VALIDATORS_NAMESPACE },
    ...[...bySpecifier].map(([specifier, group]) => ({
      kind: StructureKind.ImportDeclaration as const,
      moduleSpecifier: specifier,
      namedImports: group.map(({ exportName, localName }) =>
        exportName === localName ? exportName : { name: exportName, alias: localName },
      ),
    })),
  ];
}
