/**
 * The app every server of the benchmark runs in, prepared once per run as a user's app is: `npm run build`,
 * `npm pack --workspaces`, a fresh folder outside the repo with `"type": "module"` that installs both
 * tarballs beside koa, koa-session and ioredis (the repo's versions, so npm's cache serves them), and the
 * specs generated there by the installed CLI. The server code (bench/app/*.ts) is transpiled once with
 * TypeScript's `transpileModule` (the JavaScript `tsc` emits, without the type-check) and imports only
 * `typed-sessions` entries and the generated modules, never the repo's sources: what runs is what users install.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP_SOURCES = join(ROOT, 'bench', 'app');
/** Installed beside the two tarballs, at the versions this repo's lock file gives them. */
const PEERS = ['koa', 'koa-session', 'ioredis'];

export interface AppFiles {
  /** Written into the app, by path relative to it. */
  readonly files: Readonly<Record<string, string>>;
  /** Generated with the installed CLI: `typed-sessions gen --spec SPEC --out OUT`, relative to the app. */
  readonly specs: readonly { readonly spec: string; readonly out: string }[];
}

export interface InstalledApp {
  readonly folder: string;
  /** What is installed, for the output: `typed-sessions 0.5.0 (packed), koa 3.3.0, ...`. */
  readonly versions: string;
  /** Removes the app and the tarballs. */
  remove(): Promise<void>;
}

/**
 * Builds, packs and installs, writes bench/app/ (its spec as `sessions.yaml`, generated into `generated/`,
 * its TypeScript as JavaScript) and `extra`'s files, and generates every spec.
 */
export async function prepareInstalledApp(extra: AppFiles, log: (line: string) => void): Promise<InstalledApp> {
  const work = await mkdtemp(join(tmpdir(), 'typed-sessions-bench-'));
  const remove = () => rm(work, { recursive: true, force: true });
  try {
    log('installed app: npm run build, npm pack --workspaces');
    await run('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 16 << 20 });
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs);
    await run('npm', ['pack', '--workspaces', '--silent', '--pack-destination', tarballs], { cwd: ROOT, maxBuffer: 16 << 20 });
    const packed = (await readdir(tarballs)).filter((name) => name.endsWith('.tgz')).map((name) => join(tarballs, name));
    if (packed.length !== 2) throw new Error(`npm pack --workspaces wrote ${packed.length} tarballs, not 2 (the runtime and the CLI)`);

    const folder = join(work, 'app');
    await mkdir(folder);
    await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'typed-sessions-bench-app', private: true, type: 'module' }));
    log(`installed app: npm install of the tarballs and ${PEERS.join(', ')} in ${folder}`);
    const peers = await Promise.all(PEERS.map(async (name) => `${name}@${await versionIn(ROOT, name)}`));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed, ...peers], { cwd: folder, maxBuffer: 16 << 20 });

    for (const file of (await readdir(APP_SOURCES)).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))) {
      await write(join(folder, file.replace(/\.ts$/, '.js')), javaScript(await readFile(join(APP_SOURCES, file), 'utf8'), file));
    }
    await write(join(folder, 'sessions.yaml'), await readFile(join(APP_SOURCES, 'sessions.yaml'), 'utf8'));
    for (const [path, text] of Object.entries(extra.files)) await write(join(folder, path), text);
    log('installed app: typed-sessions gen (the installed CLI)');
    const cli = join(folder, 'node_modules', '.bin', 'typed-sessions');
    await Promise.all(
      [{ spec: 'sessions.yaml', out: 'generated' }, ...extra.specs].map(({ spec, out }) => run(cli, ['gen', '--spec', spec, '--out', out], { cwd: folder })),
    );
    const installed = await Promise.all(['typed-sessions', ...PEERS].map(async (name) => `${name} ${await versionIn(folder, name)}`));
    return { folder, versions: `${installed[0]} (packed from this tree), ${installed.slice(1).join(', ')}`, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** `source` (TypeScript) as JavaScript, under the repo's own module settings. */
function javaScript(source: string, fileName: string): string {
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
}

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

async function versionIn(folder: string, name: string): Promise<string> {
  return (JSON.parse(await readFile(join(folder, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
