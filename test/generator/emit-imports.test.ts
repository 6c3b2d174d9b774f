import { describe, expect, it } from 'vitest';
import { SessionNode, type SpecModel } from '../../generator/model.js';
import { emitImports, migrationImportKey, planSerializerImports, serializerSpecifier, sourceFilesOf } from '../../generator/emit/imports.js';
import { printSourceFile } from '../../generator/emit/print.js';
import { demoModel } from './demo-model.js';

describe('serializerSpecifier', () => {
  it.each([
    {
      name: 'spec beside the output folder',
      module: './src/codec.js',
      specDir: '.',
      outDir: 'generated',
      want: '../src/codec.js',
    },
    {
      name: 'a .ts module is imported as .js',
      module: './src/codec.ts',
      specDir: '.',
      outDir: 'generated',
      want: '../src/codec.js',
    },
    { name: '.mts becomes .mjs', module: './codec.mts', specDir: '.', outDir: 'out', want: '../codec.mjs' },
    {
      name: 'spec in a subfolder',
      module: '../shared/codec.ts',
      specDir: 'config',
      outDir: 'src/generated',
      want: '../../shared/codec.js',
    },
    {
      name: 'module inside the output folder',
      module: './generated/codec.js',
      specDir: '.',
      outDir: 'generated',
      want: './codec.js',
    },
    {
      name: 'a package name passes through',
      module: 'my-codecs',
      specDir: 'config',
      outDir: 'generated',
      want: 'my-codecs',
    },
  ])('$name', ({ module, specDir, outDir, want }) => {
    expect(serializerSpecifier(module, specDir, outDir)).toBe(want);
  });
});

// What gen --watch watches for a serializer module: the name in the spec and the files that compile to it.
describe('sourceFilesOf', () => {
  it.each([
    { given: '/app/codec.js', want: ['/app/codec.js', '/app/codec.d.ts', '/app/codec.tsx', '/app/codec.ts'] },
    { given: '/app/codec.mjs', want: ['/app/codec.mjs', '/app/codec.mts'] },
    { given: '/app/codec.cjs', want: ['/app/codec.cjs', '/app/codec.cts'] },
    { given: '/app/codec.ts', want: ['/app/codec.ts'] },
  ])('$given', ({ given, want }) => {
    expect(sourceFilesOf(given)).toEqual(want);
  });
});

function withModuleSerializer(name: string, module: string, exportName: string): SessionNode {
  return SessionNode.create(
    { name, transport: { kind: 'header', name }, transforms: [], insecure: true, expiry: { maxAge: 3600, rolling: false } },
    { schema: { type: 'object', additionalProperties: false }, serializer: { module, export: exportName } },
  );
}

describe('planSerializerImports', () => {
  const model: SpecModel = {
    ...demoModel,
    sessions: [
      withModuleSerializer('a', './codec.js', 'jsonCodec'),
      withModuleSerializer('b', './codec.js', 'jsonCodec'),
      withModuleSerializer('c', './other.js', 'jsonCodec'),
      withModuleSerializer('d', './names.js', 'CartItem'),
      withModuleSerializer('e', './names.js', 'default'),
      withModuleSerializer('f', './names.js', 'spec'),
      withModuleSerializer('g', './names.js', 'buildRedisStorage'),
    ],
  };
  const plan = planSerializerImports(model, (module) => module);

  it('shares one import between sessions using the same export', () => {
    expect(plan.get('a')).toBe(plan.get('b'));
    expect(plan.get('a')).toEqual({ specifier: './codec.js', exportName: 'jsonCodec', localName: 'jsonCodec' });
  });

  it.each([
    { session: 'c', why: 'the same name from another module', localName: 'jsonCodec2' },
    { session: 'd', why: 'a generated type name', localName: 'CartItem2' },
    { session: 'e', why: 'a default export', localName: 'default2' },
    { session: 'f', why: 'the generated spec constant', localName: 'spec2' },
    { session: 'g', why: "an optional layer's import", localName: 'buildRedisStorage2' },
  ])('aliases $why', ({ session, localName }) => {
    expect(plan.get(session)?.localName).toBe(localName);
  });

  it('leaves JSON sessions out: the demo imports only its migration', () => {
    expect([...planSerializerImports(demoModel, (module) => module)]).toEqual([
      [migrationImportKey('user', 1), { specifier: './examples/session-migrations.js', exportName: 'userV1toV2', localName: 'userV1toV2' }],
    ]);
  });

  it('groups the imports by module, the layers after the core, aliasing where needed', () => {
    expect(printSourceFile(emitImports(plan.values(), ['redis', 'ktor']))).toBe(
      [
        "import type { Middleware } from 'koa';",
        "import { SessionProvider, createSessionsMiddleware, type InstallOptions, type SessionDefinition, type Sessions, type SpecDefinition } from 'typed-sessions/core';",
        "import { buildRedisStorage } from 'typed-sessions/redis';",
        "import { ktorLayer } from 'typed-sessions/ktor';",
        "import * as validators from './validators.js';",
        "import { jsonCodec } from './codec.js';",
        "import { jsonCodec as jsonCodec2 } from './other.js';",
        "import { CartItem as CartItem2, default as default2, spec as spec2, buildRedisStorage as buildRedisStorage2 } from './names.js';",
        '',
      ].join('\n'),
    );
  });
});
