/**
 * Test-only: a spec as a user writes it, YAML text and the app's own modules (a migration module, say),
 * run through `gen` into a folder and imported, so a test serves exactly the definitions `gen` emits. The
 * folders sit in the repo's git-ignored tmp/, where the generated module resolves `typed-sessions`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRedisStorage } from 'typed-sessions/redis';
import { GENERATED_FORMAT, SessionProvider, type ProviderClass, type SpecDefinition } from 'typed-sessions/core';
import { applyOutput, compareOutput, formatSpecErrors, generate, loadSpecFile } from '../../generator/index.js';

const repo = resolve(import.meta.dirname, '../..');

/** A folder of generated specs, removed by `remove()`. */
export interface SpecFolder {
  readonly path: string;
  /**
   * `specText` and `files` (paths relative to the spec) written to `folder`, generated and imported: the
   * spec the generated `installSessions()` would install, to hand to `createSessionsMiddleware` with test options.
   */
  generate(folder: string, specText: string, files?: Readonly<Record<string, string>>): Promise<SpecDefinition>;
  remove(): Promise<void>;
}

/** @example const specs = await specFolder('schema-evolution-'); const v1 = await specs.generate('v1', SPEC_V1); */
export async function specFolder(prefix: string): Promise<SpecFolder> {
  await mkdir(join(repo, 'tmp'), { recursive: true });
  const path = await mkdtemp(join(repo, 'tmp', prefix));
  return {
    path,
    async generate(folder, specText, files = {}) {
      const dir = join(path, folder);
      for (const [file, text] of Object.entries({ 'sessions.yaml': specText, ...files })) {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await writeFile(join(dir, file), text);
      }
      const loaded = await loadSpecFile(join(dir, 'sessions.yaml'), 'sessions.yaml');
      if (!loaded.ok) throw new Error(`spec ${folder} is invalid:\n${formatSpecErrors(loaded.errors, loaded.source)}`);
      const outDir = join(dir, 'generated');
      const generated = await generate(loaded.model, { specDir: dir, outDir });
      await applyOutput(outDir, generated, await compareOutput(outDir, generated));
      const module = (await import(pathToFileURL(join(outDir, 'index.ts')).href)) as Record<string, unknown>;
      const providers = Object.values(module).filter((value): value is ProviderClass => typeof value === 'function' && value.prototype instanceof SessionProvider);
      const { keys, storages } = loaded.model;
      return { format: GENERATED_FORMAT, keys, storages, providers, layers: { redis: buildRedisStorage } };
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
