/**
 * The packages as a user gets them: `npm pack --workspaces` this repo, install the runtime (`typed-sessions`)
 * beside koa and the CLI (`@typed-sessions/cli`) as a dev dependency in a fresh project, run
 * `npx typed-sessions gen` on that project's own spec (the README's), type-check the README's first program
 * with it, compile and serve a request.
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
let project: string;

/** The README's first example: its spec and its program are what this project installs and compiles. */
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
function readmeBlock(language: string): string {
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(readme);
  if (!block) throw new Error(`README.md has no ${language} example`);
  return block[1]!;
}
const spec = readmeBlock('yaml');
const readmeProgram = readmeBlock('ts');

const app = `import Koa from 'koa';
import { installSessions } from './generated/index.js';

const app = new Koa();
app.use(installSessions());
app.use((ctx) => {
  const count = (ctx.sessions.get('visit')?.count ?? 0) + 1;
  ctx.sessions.set('visit', { count });
  ctx.body = { count };
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

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'typed-sessions-pack-'));
  // Both published packages, as `npm pack --workspaces` writes them: the runtime and the CLI.
  await sh('npm', ['pack', '--workspaces', '--silent', '--pack-destination', project], repo);
  const tarballs = (await readdir(project)).filter((name) => name.endsWith('.tgz'));
  const runtime = tarballs.find((name) => name.startsWith('typed-sessions-') && !name.startsWith('typed-sessions-cli-'));
  const cli = tarballs.find((name) => name.startsWith('typed-sessions-cli-'));
  if (runtime === undefined || cli === undefined) throw new Error(`npm pack --workspaces wrote ${tarballs.join(', ') || 'nothing'}`);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await writeFile(join(project, 'sessions.yaml'), spec);
  await writeFile(join(project, 'app.ts'), app);
  await writeFile(join(project, 'readme.ts'), readmeProgram);
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
  await sh('npm', [...install, `./${runtime}`, pinnedToRepo('koa')], project);
  await sh('npm', [...install, '--save-dev', `./${cli}`, ...['@types/koa', '@types/node', 'typescript'].map(pinnedToRepo)], project);
}, 300_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

/** `name@version` as installed in this repo, so the install is served from npm's cache. */
function pinnedToRepo(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${manifest.version}`;
}

describe('installed from a tarball', () => {
  it('generates from the project spec, type-checks, compiles and serves', async () => {
    const gen = await sh('npx', ['typed-sessions', 'gen'], project);
    expect(gen).toContain('generated/index.ts');
    expect(await sh('npx', ['typed-sessions', 'gen', '--check'], project)).toContain('up to date');

    await sh('npx', ['tsc', '-p', 'tsconfig.json'], project);

    const key = (await sh('npx', ['typed-sessions', 'keygen'], project)).split('\n')[0]!.trim();
    const server = spawn(process.execPath, ['out/app.js'], { cwd: project, env: { ...process.env, SESSION_KEYS: key } });
    try {
      const port = await new Promise<number>((done, failed) => {
        server.stdout.on('data', (chunk: Buffer) => {
          const match = /listening (\d+)/.exec(chunk.toString());
          if (match) done(Number(match[1]));
        });
        server.on('exit', (code) => failed(new Error(`server exited with ${code}`)));
      });
      const first = await fetch(`http://127.0.0.1:${port}/`);
      expect(await first.json()).toEqual({ count: 1 });
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const second = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
      expect(await second.json()).toEqual({ count: 2 });
    } finally {
      server.kill();
    }
  }, 120_000);

  it('refuses to start without the key ring, naming the variable', async () => {
    const result = await run(process.execPath, ['out/app.js'], { cwd: project, env: { PATH: process.env.PATH } }).then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(result).toContain('SESSION_KEYS');
  });
});
