/**
 * The packages as a user gets them: `npm pack --workspaces` this repo, install the runtime (`typed-sessions`)
 * beside koa and the CLI (`@typed-sessions/cli`) as a dev dependency in a fresh project, run
 * `npx typed-sessions gen` on that project's own spec (the README's), type-check the README's first program
 * with it, compile and serve a request: once on Koa 3 with its types, once on Koa 2 with its own.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

/** The README's first example: its spec and its program are what this project installs and compiles. */
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
function readmeBlock(language: string): string {
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(readme);
  if (!block) throw new Error(`README.md has no ${language} example`);
  return block[1]!;
}
const spec = readmeBlock('yaml');
const readmeProgram = readmeBlock('ts');
const readmeJavaScript = readmeBlock('js');

// Imports the runtime's main entry too, whose declarations must type-check without ioredis installed.
const app = `import Koa from 'koa';
import { SessionConfigError } from 'typed-sessions';
import { installSessions } from './generated/index.js';

const app = new Koa();
try {
  app.use(installSessions());
} catch (error) {
  if (!(error instanceof SessionConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.use((ctx) => {
  // 0.4's request API as installed: a read-only payload, changed through update on a draft.
  if (ctx.sessions.get('visit') === undefined) ctx.sessions.set('visit', { count: 1 });
  else ctx.sessions.update('visit', (draft) => {
    draft.count += 1;
  });
  ctx.body = { count: ctx.sessions.get('visit')?.count };
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log('listening ' + address.port);
});
`;

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    outDir: 'out',
    types: ['node'],
  },
  include: ['app.ts', 'readme.ts', 'generated'],
};

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 << 20 });
  return stdout + stderr;
}

/** Both published packages, as `npm pack --workspaces` writes them: the runtime and the CLI. */
let packed: { folder: string; runtime: string; cli: string };

beforeAll(async () => {
  const folder = await mkdtemp(join(tmpdir(), 'typed-sessions-tarballs-'));
  await sh('npm', ['pack', '--workspaces', '--silent', '--pack-destination', folder], repo);
  const tarballs = (await readdir(folder)).filter((name) => name.endsWith('.tgz'));
  const runtime = tarballs.find((name) => name.startsWith('typed-sessions-') && !name.startsWith('typed-sessions-cli-'));
  const cli = tarballs.find((name) => name.startsWith('typed-sessions-cli-'));
  if (runtime === undefined || cli === undefined) throw new Error(`npm pack --workspaces wrote ${tarballs.join(', ') || 'nothing'}`);
  packed = { folder, runtime: join(folder, runtime), cli: join(folder, cli) };
}, 120_000);

afterAll(async () => {
  if (packed) await rm(packed.folder, { recursive: true, force: true });
});

/** `name@version` as installed in this repo, so the install is served from npm's cache. */
function pinnedToRepo(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${manifest.version}`;
}

/** Koa and its types for each supported major: Koa 3 as this repo has it, Koa 2 at its last release line. */
const KOA_VERSIONS = {
  3: { koa: () => pinnedToRepo('koa'), types: () => pinnedToRepo('@types/koa') },
  2: { koa: () => 'koa@^2.16.4', types: () => '@types/koa@^2.15.2' },
} as const;

describe.each([3, 2] as const)('installed from the tarballs, on Koa %i', (major) => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), `typed-sessions-koa${major}-`));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await writeFile(join(project, 'sessions.yaml'), spec);
    await writeFile(join(project, 'app.ts'), app);
    await writeFile(join(project, 'readme.ts'), readmeProgram);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(join(project, 'plain.js'), app);
    await writeFile(join(project, 'readme.js'), readmeJavaScript);
    // The README's two install lines, with pinned versions so npm's cache serves them.
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
    await sh('npm', [...install, packed.runtime, KOA_VERSIONS[major].koa()], project);
    await sh('npm', [...install, '--save-dev', packed.cli, KOA_VERSIONS[major].types(), ...['@types/node', 'typescript'].map(pinnedToRepo)], project);
  }, 300_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it(`generates from the project spec, type-checks against @types/koa ${major}, compiles and serves`, async () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'koa', 'package.json'), 'utf8')) as { version: string };
    expect(installed.version.split('.')[0]).toBe(String(major));
    const gen = await sh('npx', ['typed-sessions', 'gen'], project);
    expect(gen).toContain('generated/index.ts');
    expect(await sh('npx', ['typed-sessions', 'gen', '--check'], project)).toContain('up to date');

    await sh('npx', ['tsc', '-p', 'tsconfig.json'], project);

    const key = (await sh('npx', ['typed-sessions', 'keygen'], project)).split('\n')[0]!.trim();
    await expectCounting(project, 'out/app.js', key);
  }, 120_000);

  it('runs as plain JavaScript with no build step: node imports generated/index.js as it is', async () => {
    expect(await sh('npx', ['typed-sessions', 'gen'], project)).toContain('generated/');
    // The README's JavaScript program is checked for syntax; plain.js, the same shape, is run.
    await sh(process.execPath, ['--check', 'readme.js'], project);
    const key = (await sh('npx', ['typed-sessions', 'keygen'], project)).split('\n')[0]!.trim();
    await expectCounting(project, 'plain.js', key);
  }, 120_000);

  it('refuses to start without the key ring, naming the variable', async () => {
    // Generates for itself, and runs the app as plain JavaScript, so it needs nothing an earlier test built.
    await sh('npx', ['typed-sessions', 'gen'], project);
    const result = await run(process.execPath, ['plain.js'], { cwd: project, env: { PATH: process.env.PATH } }).then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(result).toContain('SESSION_KEYS');
  });
});

/** Starts `entry` in `project` with `key` as its ring, and sees its visit counter count 1, then 2. */
async function expectCounting(project: string, entry: string, key: string): Promise<void> {
  const server = spawn(process.execPath, [entry], { cwd: project, env: { ...process.env, SESSION_KEYS: key } });
  try {
    const port = await new Promise<number>((done, failed) => {
      server.stdout.on('data', (chunk: Buffer) => {
        const match = /listening (\d+)/.exec(chunk.toString());
        if (match) done(Number(match[1]));
      });
      server.on('exit', (code) => failed(new Error(`${entry} exited with ${code}`)));
    });
    const first = await fetch(`http://127.0.0.1:${port}/`);
    expect(await first.json()).toEqual({ count: 1 });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const second = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
    expect(await second.json()).toEqual({ count: 2 });
  } finally {
    server.kill();
  }
}
