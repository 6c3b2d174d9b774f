/**
 * The arrows between modules go one way: no import cycle, even through a type-only import, and the
 * generator's stages (style.md, "The pipeline, visible in the folders") import only their own or an
 * earlier stage. In runtime/ the layers run: data types (definition.ts, envelope.ts), rules, parts
 * (transport, transform, serializer, storage, tracker), the session pipeline, request path, middleware;
 * only the absence of cycles is checked there.
 */
import { expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph.js';

it('the cycle check finds a cycle, and a file importing itself, in a graph that has them', () => {
  const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['d.ts']], ['e.ts', ['a.ts']]]);
  expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
});

it('runtime/ has no import cycle', () => {
  const graph = importGraph(['runtime']);
  // A wrong folder would give an empty graph, and no cycle.
  expect(graph.size).toBeGreaterThan(50);
  expect(importCycles(graph)).toEqual([]);
});

it('generator/ has no import cycle', () => {
  expect(importCycles(importGraph(['generator']))).toEqual([]);
});

/** The generator's stages in pipeline order; `shared` holds what several stages read and imports none of them. */
const STAGES = ['shared', 'load', 'validate', 'model', 'emit', 'output', 'command'] as const;
type Stage = (typeof STAGES)[number];

/** Every file of generator/ and its stage: a new file fails the test below until it is placed here. */
const STAGE_OF: Readonly<Record<string, Stage>> = {
  'generator/defaults.ts': 'shared',
  'generator/did-you-mean.ts': 'shared',
  'generator/duration.ts': 'shared',
  'generator/generated-header.ts': 'shared',
  'generator/names.ts': 'shared',
  'generator/payload-schema.ts': 'shared',
  'generator/spec-path.ts': 'shared',

  'generator/load.ts': 'load',
  'generator/spec-error.ts': 'load',

  'generator/ktor-rules.ts': 'validate',
  'generator/payload-rules.ts': 'validate',
  'generator/per-user-rules.ts': 'validate',
  'generator/rules.ts': 'validate',
  'generator/session-facts.ts': 'validate',
  'generator/spec-document.ts': 'validate',
  'generator/spec-view.ts': 'validate',
  'generator/transform-steps.ts': 'validate',
  'generator/validate-schema.ts': 'validate',
  'generator/validate.ts': 'validate',

  'generator/model.ts': 'model',
  'generator/normalize.ts': 'model',
  // The front half as one entry: load -> validate -> model.
  'generator/spec.ts': 'model',

  'generator/emit/imports.ts': 'emit',
  'generator/emit/index-file.ts': 'emit',
  'generator/emit/install-sessions.ts': 'emit',
  'generator/emit/koa-augmentation.ts': 'emit',
  'generator/emit/layers.ts': 'emit',
  'generator/emit/sessions-admin.ts': 'emit',
  'generator/emit/literal.ts': 'emit',
  'generator/emit/payload-ajv.ts': 'emit',
  'generator/emit/payload-types.ts': 'emit',
  'generator/emit/print.ts': 'emit',
  'generator/emit/provider-class.ts': 'emit',
  'generator/emit/schema-compile-error.ts': 'emit',
  'generator/emit/schema-to-type.ts': 'emit',
  'generator/emit/session-definition.ts': 'emit',
  'generator/emit/session-map.ts': 'emit',
  'generator/emit/spec-definition.ts': 'emit',
  'generator/emit/standalone-code.ts': 'emit',
  'generator/emit/tokens.ts': 'emit',
  'generator/emit/unsupported-schema-error.ts': 'emit',
  'generator/emit/validators.ts': 'emit',
  // The back half up to the texts: emit, then prettier.
  'generator/generate.ts': 'emit',

  'generator/output.ts': 'output',
  // Compares two specs' models; compiles old enum values with emit's payload Ajv.
  'generator/compat/compare-per-user.ts': 'output',
  'generator/compat/compare-schemas.ts': 'output',
  'generator/compat/compare-specs.ts': 'output',
  'generator/compat/compare-versions.ts': 'output',
  'generator/compat/finding.ts': 'output',
  'generator/compat/session-pair.ts': 'output',

  'generator/cli-io.ts': 'command',
  'generator/cli-text.ts': 'command',
  'generator/cli.ts': 'command',
  'generator/compat/check-command.ts': 'command',
  'generator/format-errors.ts': 'command',
  'generator/index.ts': 'command',
  'generator/watch-files.ts': 'command',
  'generator/watch.ts': 'command',
};

it('generator stages never import a later stage', () => {
  const graph = importGraph(['generator']);
  const rank = (file: string): number => STAGES.indexOf(STAGE_OF[file]!);
  expect({ unplaced: [...graph.keys()].filter((file) => !Object.hasOwn(STAGE_OF, file)) }).toEqual({ unplaced: [] });
  expect({ gone: Object.keys(STAGE_OF).filter((file) => !graph.has(file)) }).toEqual({ gone: [] });
  const backwards = [...graph].flatMap(([file, imports]) =>
    imports
      .filter((imported) => graph.has(imported) && rank(imported) > rank(file))
      .map((imported) => `${file} (${STAGE_OF[file]}) imports ${imported} (${STAGE_OF[imported]})`),
  );
  expect(backwards).toEqual([]);
});
