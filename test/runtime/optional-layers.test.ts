/**
 * The runtime's optional layers (Redis, the directory storage, Ktor's format) load only when the spec uses
 * them, ioredis only when a Redis storage is built, and a generated module of another format than the
 * runtime's is refused at startup. Each spec is generated through the generator's entry and imported as an
 * app imports it: module loading is observed in fresh processes (test/support/module-probe.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionConfigError, generateKey } from 'typed-sessions';
import { GENERATED_FORMAT } from 'typed-sessions/core';
import { applyOutput, compareOutput, generate, loadSpecText } from '../../generator/index.js';

const repo = resolve(import.meta.dirname, '../..');
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
const probe = join(repo, 'test/support/module-probe.ts');

const SCHEMA = '    schema: { type: object, properties: { n: { type: integer } }, additionalProperties: false }\n';

/** A spec of one session, `session` (its fields, indented), with `storages` declared. */
function specText(session: string, storages = ''): string {
  return [
    'version: 1',
    'keys:',
    '  main: { env: SESSION_KEYS }',
    '  ktor_sign: { env: KTOR_SIGN_KEY, encoding: hex }',
    ...(storages === '' ? [] : ['storages:', `  ${storages}`]),
    'sessions:',
    '  visit:',
    session + SCHEMA,
  ].join('\n');
}

const signedCookie = specText('    transform: [{ sign: main }]\n');

/** Generates `spec` into `dir`/generated and returns the path of its index.ts. */
async function generateApp(dir: string, spec: string): Promise<string> {
  const loaded = loadSpecText(spec, 'sessions.yaml');
  if (!loaded.ok) throw new Error(`invalid test spec:\n${JSON.stringify(loaded.errors, null, 2)}`);
  const outDir = join(dir, 'generated');
  const files = await generate(loaded.model, { specDir: dir, outDir });
  await applyOutput(outDir, files, await compareOutput(outDir, files));
  return join(outDir, 'index.ts');
}

function runNode(cwd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--conditions=source', '--import', tsxLoader, ...args], { cwd }, (error, stdout, stderr) =>
      error ? fail(new Error(`${args.join(' ')} failed: ${stderr}`)) : done({ stdout, stderr }),
    );
  });
}

/** Which optional layers, and whether ioredis, are among the loaded files. */
const LAYER_FILES: ReadonlyArray<readonly [string, RegExp]> = [
  ['redis', /\/runtime\/storage\/redis\.ts$/],
  ['directory', /\/runtime\/storage\/directory\.ts$/],
  ['ktor', /\/runtime\/ktor\//],
  ['ioredis', /\/node_modules\/ioredis\//],
];
function layersAmong(files: readonly string[]): string[] {
  return LAYER_FILES.filter(([, pattern]) => files.some((file) => pattern.test(file))).map(([layer]) => layer);
}

describe('optional layers', () => {
  // Inside the repo (tmp/ is git-ignored) so generated modules resolve `koa` and `typed-sessions/*`.
  let dir: string;
  beforeAll(async () => {
    await mkdir(join(repo, 'tmp'), { recursive: true });
    dir = await mkdtemp(join(repo, 'tmp', 'optional-layers-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const env = { SESSION_KEYS: generateKey(), KTOR_SIGN_KEY: randomBytes(32).toString('hex'), REDIS_URL: 'redis://127.0.0.1:1' };

  it.each([
    { name: 'one signed cookie session', folder: 'signed', spec: signedCookie, imported: [], installed: [] },
    {
      name: 'a session in a Redis storage: ioredis only once installSessions() builds the storage,',
      folder: 'redis',
      spec: specText('    storage: cache\n', 'cache: { kind: redis, url: { env: REDIS_URL } }'),
      imported: ['redis'],
      installed: ['redis', 'ioredis'],
    },
    {
      name: 'a session in a directory storage',
      folder: 'directory',
      spec: specText('    storage: files\n', 'files: { kind: directory, path: .sessions }'),
      imported: ['directory'],
      installed: ['directory'],
    },
    {
      name: "a session in Ktor's format",
      folder: 'ktor',
      spec: specText('    serializer: ktor-json\n    transform: [{ ktor-sign: ktor_sign }]\n'),
      imported: ['ktor'],
      installed: ['ktor'],
    },
  ])('$name loads the layers it uses and no other', async ({ folder, spec, imported, installed }) => {
    const app = join(dir, folder);
    await mkdir(app);
    const entry = await generateApp(app, spec);
    const { stdout } = await runNode(app, [probe, entry, JSON.stringify(env)]);
    const loaded = JSON.parse(stdout) as { imported: string[]; installed: string[] };
    // The probe sees the core runtime load, so an empty list below is not a blind probe.
    expect(loaded.imported).toContain(join(repo, 'runtime', 'middleware.ts'));
    expect(layersAmong(loaded.imported)).toEqual(imported);
    expect(layersAmong(loaded.installed)).toEqual(installed);
  });

  describe('a generated module of another format than the runtime reads', () => {
    let generated: string;
    beforeAll(async () => {
      generated = await readFile(await generateApp(dir, signedCookie), 'utf8');
    });

    /** The generated module with its format line replaced by `line`, imported, and its `installSessions()` called. */
    async function installWithFormat(file: string, line: string): Promise<unknown> {
      const stamp = `  format: ${GENERATED_FORMAT},\n`;
      expect(generated).toContain(stamp);
      const path = join(dir, 'generated', file);
      await writeFile(path, generated.replace(stamp, line));
      const module = (await import(pathToFileURL(path).href)) as { installSessions(options: object): unknown };
      try {
        return module.installSessions({ env, logger: { warn() {} } });
      } catch (error) {
        return error;
      }
    }

    it('installs when it is the same', async () => {
      expect(await installWithFormat('same.ts', `  format: ${GENERATED_FORMAT},\n`)).toBeTypeOf('function');
    });

    it.each([
      { name: 'older', file: 'older.ts', line: `  format: ${GENERATED_FORMAT - 1},\n`, shown: GENERATED_FORMAT - 1 },
      { name: 'older, from before the format was stamped', file: 'unstamped.ts', line: '', shown: 'none' },
      { name: 'newer', file: 'newer.ts', line: `  format: ${GENERATED_FORMAT + 1},\n`, shown: GENERATED_FORMAT + 1 },
    ])('$name: refused at startup, saying to run npx typed-sessions gen', async ({ name, file, line, shown }) => {
      const error = await installWithFormat(file, line);
      expect(error).toBeInstanceOf(SessionConfigError);
      const message = (error as Error).message;
      expect(message).toContain(`the generated sessions module is of format ${shown} and this typed-sessions runtime reads format ${GENERATED_FORMAT}`);
      expect(message).toContain(`generated by ${name.startsWith('newer') ? 'a newer' : 'an older'} @typed-sessions/cli`);
      expect(message).toMatch(/npx typed-sessions gen$/);
    });
  });
});

describe('a Redis storage where ioredis is not installed', () => {
  let app: string;
  beforeAll(async () => {
    // An app with a copy of the runtime package and every package of this repo but ioredis (and this
    // repo's own, linked to its folders); outside the repo, where no node_modules folder above has ioredis.
    app = await mkdtemp(join(tmpdir(), 'typed-sessions-no-ioredis-'));
    const installed = join(app, 'node_modules');
    const runtime = join(repo, 'runtime');
    await cp(runtime, join(installed, 'typed-sessions'), { recursive: true, filter: (path) => relative(runtime, path).split(sep)[0] !== 'dist' });
    for (const name of await readdir(join(repo, 'node_modules'))) {
      if (!['ioredis', 'typed-sessions', '@typed-sessions'].includes(name) && !name.startsWith('.')) await symlink(join(repo, 'node_modules', name), join(installed, name));
    }
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await generateApp(app, specText('    storage: cache\n', 'cache: { kind: redis, url: { env: REDIS_URL } }'));
    await writeFile(
      join(app, 'main.ts'),
      `import { installSessions } from './generated/index.js';
try {
  installSessions({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  console.log(JSON.stringify({ installed: true }));
} catch (error) {
  console.log(JSON.stringify({ name: (error as Error).name, message: (error as Error).message }));
}
`,
    );
  });
  afterAll(() => rm(app, { recursive: true, force: true }));

  it('imports fine, and installSessions() throws a SessionConfigError naming the package and its install command', async () => {
    const { stdout } = await runNode(app, ['main.ts']);
    const outcome = JSON.parse(stdout) as { name?: string; message?: string };
    expect(outcome.name).toBe('SessionConfigError');
    expect(outcome.message).toContain('needs the package ioredis');
    expect(outcome.message).toContain('npm install ioredis');
  });
});
