/**
 * The packages as a user gets them: `npm pack --workspaces` this repo, install the runtime (`typed-sessions`)
 * beside koa and the CLI (`@typed-sessions/cli`) as a dev dependency in a fresh project, run
 * `npx typed-sessions gen` on that project's own spec (the README's), type-check the README's first program
 * with it, compile and serve a request: once on Koa 3 with its types, once on Koa 2 with its own. Then the
 * same project moves its session to payload version 2 with a migration of its own (docs/schema-evolution.md),
 * and, as plain JavaScript, adds a session indexed by user whose `.admin` lists and revokes (docs/spec.md);
 * in TypeScript, that session's admin API and `ctx.sessions.list` type-check against its summary, and a
 * summary field the spec does not select does not.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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

/** The project's spec at payload version 2: `visit` gains a required `firstSeen`, its version 1 kept in history. */
function versionedSpec(v1: string): string {
  const [head, schema] = v1.split('    schema:\n');
  const current = schema!.replace('properties: { count: { type: integer, minimum: 1 } }', 'properties: { count: { type: integer, minimum: 1 }, firstSeen: { type: string } }').replace('required: [count]', 'required: [count, firstSeen]');
  const old = schema!.replace(/^ {6}/gm, '          ');
  return `${head}    version: 2\n    schema:\n${current}    history:\n      1:\n        schema:\n${old}        migrate: { module: ./migrations.js, export: visitV1toV2 }\n`;
}

function migrations(firstSeen: string): string {
  return `import type { VisitSessionV1 } from './generated/index.js';

export function visitV1toV2(old: VisitSessionV1) {
  return { count: old.count, ${firstSeen} };
}
`;
}

/** Counts on, showing the whole payload: a migrated one carries what the migration added. */
const versionedApp = `import Koa from 'koa';
import { installSessions } from './generated/index.js';

const app = new Koa();
app.use(installSessions());
app.use((ctx) => {
  ctx.sessions.update('visit', (draft) => {
    draft.count += 1;
  });
  ctx.body = ctx.sessions.get('visit');
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log('listening ' + address.port);
});
`;

/** `spec` with a by-id `device` session indexed by user, in memory: what `.admin` lists and revokes. */
function withDevices(text: string): string {
  const device = [
    'storages:',
    '  mem: { kind: memory, maxEntries: 1000 }',
    'sessions:',
    '  device:',
    '    storage: mem',
    '    index: userId',
    '    summary: [agent]',
    '    schema: { type: object, properties: { userId: { type: string }, agent: { type: string } }, required: [userId, agent], additionalProperties: false }',
    '',
  ].join('\n');
  return text.replace('sessions:\n', device);
}

/** Plain JavaScript over the packed runtime: the visit counter of version 2, and a user's devices through `.admin`. */
const devicesApp = `import Koa from 'koa';
import { installSessions } from './generated/index.js';

const sessions = installSessions();
const app = new Koa();
app.use(sessions);
app.use(async (ctx) => {
  if (ctx.path === '/login') {
    ctx.sessions.set('device', { userId: 'ada', agent: ctx.get('user-agent') });
    ctx.status = 204;
  } else if (ctx.path === '/devices') {
    ctx.body = await sessions.admin.device.list('ada');
  } else if (ctx.path === '/revoke-all') {
    ctx.body = { revoked: await sessions.admin.device.revokeAll('ada') };
  } else {
    ctx.sessions.update('visit', (draft) => {
      draft.count += 1;
    });
    ctx.body = ctx.sessions.get('visit');
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log('listening ' + address.port);
});
`;

/**
 * TypeScript over the packed runtime's types: a user's devices in a request (`ctx.sessions.list`, typed by the
 * spec's `summary: [agent]`, and `revokeOthers`), and outside one (`.admin.device`: `list`, `revoke`, `revokeAll`).
 */
const typedDevicesApp = `import Koa from 'koa';
import { installSessions } from './generated/index.js';

const sessions = installSessions();
const app = new Koa();
app.use(sessions);
app.use(async (ctx) => {
  if (ctx.path === '/login') {
    ctx.sessions.set('device', { userId: 'ada', agent: ctx.get('user-agent') });
    ctx.status = 204;
  } else if (ctx.path === '/devices') {
    const listed = await ctx.sessions.list('device');
    const agents: Array<string | undefined> = listed.map((entry) => entry.summary.agent);
    ctx.body = { agents: agents.sort(), current: listed.filter((entry) => entry.current).length };
  } else if (ctx.path === '/revoke-others') {
    ctx.body = { revoked: await ctx.sessions.revokeOthers('device') };
  }
});

/** After a password change: every device of the user but the one kept, the first listed revoked on its own. */
export async function passwordChanged(user: string, keep: string): Promise<string | undefined> {
  const [first] = await sessions.admin.device.list(user);
  const agent: string | undefined = first?.summary.agent;
  const revoked: boolean = await sessions.admin.device.revoke(first?.handle ?? '');
  const ended: number = await sessions.admin.device.revokeAll(user, { except: keep });
  return revoked || ended > 0 ? agent : undefined;
}

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log('listening ' + address.port);
});
`;

/** A summary field the spec's `summary:` does not select, read outside a request and in one. */
const wrongSummary = `import Koa from 'koa';
import { installSessions } from './generated/index.js';

const [first] = await installSessions().admin.device.list('ada');
export const outside = first?.summary.userId;
export async function inside(ctx: Koa.Context): Promise<unknown> {
  return (await ctx.sessions.list('device'))[0]?.summary.userId;
}
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

  // Once, on Koa 3: nothing in a migration depends on Koa's major, and each run costs two more builds.
  if (major === 3) it('moves the session to payload version 2: the migration is type-checked, and a version 1 cookie reads migrated', async () => {
    await sh('npx', ['typed-sessions', 'gen'], project);
    await sh('npx', ['tsc', '-p', 'tsconfig.json'], project);
    const key = (await sh('npx', ['typed-sessions', 'keygen'], project)).split('\n')[0]!.trim();
    const v1Cookie = await expectCounting(project, 'out/app.js', key);

    await mkdir(join(project, 'v2'), { recursive: true });
    await writeFile(join(project, 'v2', 'sessions.yaml'), versionedSpec(spec));
    await writeFile(join(project, 'v2', 'migrations.ts'), migrations('firstSeen: `visit ${old.count} under version 1`'));
    await writeFile(join(project, 'v2', 'app.ts'), versionedApp);
    await writeFile(join(project, 'tsconfig.v2.json'), JSON.stringify({ ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, outDir: 'out-v2', rootDir: '.' }, include: ['v2'] }));
    const gen = await sh('npx', ['typed-sessions', 'gen', '--spec', 'v2/sessions.yaml', '--out', 'v2/generated'], project);
    expect(gen).toContain('v2/generated/index.ts');
    await sh('npx', ['tsc', '-p', 'tsconfig.v2.json'], project);
    await serving(project, 'out-v2/v2/app.js', key, async (url) => {
      const migrated = await fetch(url, { headers: { cookie: v1Cookie } });
      expect(await migrated.json()).toEqual({ count: 3, firstSeen: 'visit 2 under version 1' });
    });

    // A migration that returns the wrong shape is a compile error in the app's build, at the generated `satisfies`.
    await writeFile(join(project, 'v2', 'migrations.ts'), migrations('firstSeen: old.count'));
    const refused = await run('npx', ['tsc', '-p', 'tsconfig.v2.json'], { cwd: project }).then(
      () => 'compiled',
      (error: { stdout: string }) => error.stdout,
    );
    expect(refused).toMatch(/v2\/generated\/index\.ts\(\d+,\d+\): error TS1360: Type .*firstSeen/s);
  }, 180_000);

  // Once, on Koa 3, in one build: the right app compiles and serves, the wrong summary fields are its only errors.
  if (major === 3) it("type-checks a user index's admin API and ctx.sessions.list against its summary, refusing a field summary: does not select", async () => {
    await mkdir(join(project, 'admin'), { recursive: true });
    await writeFile(join(project, 'admin', 'sessions.yaml'), withDevices(spec));
    await writeFile(join(project, 'admin', 'app.ts'), typedDevicesApp);
    await writeFile(join(project, 'admin', 'wrong.ts'), wrongSummary);
    await writeFile(join(project, 'tsconfig.admin.json'), JSON.stringify({ ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, outDir: 'out-admin', rootDir: '.' }, include: ['admin'] }));
    expect(await sh('npx', ['typed-sessions', 'gen', '--spec', 'admin/sessions.yaml', '--out', 'admin/generated'], project)).toContain('admin/generated/index.ts');
    const errors = await run('npx', ['tsc', '-p', 'tsconfig.admin.json'], { cwd: project }).then(
      () => 'compiled',
      (error: { stdout: string }) => error.stdout,
    );
    expect(errors.trim().split('\n')).toEqual([
      expect.stringMatching(/^admin\/wrong\.ts\(5,39\): error TS2339: Property 'userId' does not exist on type 'DeviceSessionSummary'\.$/),
      expect.stringMatching(/^admin\/wrong\.ts\(7,58\): error TS2339: Property 'userId' does not exist on type 'DeviceSessionSummary'\.$/),
    ]);
    // tsc emits despite the errors in wrong.ts: the right app runs as compiled (with a key as keygen prints one).
    await serving(project, 'out-admin/admin/app.js', randomBytes(32).toString('base64url'), async (url) => {
      const signIn = async (agent: string) => (await fetch(`${url}login`, { headers: { 'user-agent': agent } })).headers.get('set-cookie')!.split(';')[0]!;
      await signIn('laptop');
      const phone = await signIn('phone');
      expect(await (await fetch(`${url}devices`, { headers: { cookie: phone } })).json()).toEqual({ agents: ['laptop', 'phone'], current: 1 });
      expect(await (await fetch(`${url}revoke-others`, { headers: { cookie: phone } })).json()).toEqual({ revoked: 1 });
      expect(await (await fetch(`${url}devices`, { headers: { cookie: phone } })).json()).toEqual({ agents: ['phone'], current: 1 });
    });
  }, 120_000);

  it('runs as plain JavaScript a spec with payload versions and a user index: a version 1 cookie migrates, and .admin lists and revokes', async () => {
    await sh('npx', ['typed-sessions', 'gen'], project);
    const key = (await sh('npx', ['typed-sessions', 'keygen'], project)).split('\n')[0]!.trim();
    const v1Cookie = await expectCounting(project, 'plain.js', key);

    await mkdir(join(project, 'js2'), { recursive: true });
    await writeFile(join(project, 'js2', 'sessions.yaml'), withDevices(versionedSpec(spec)));
    await writeFile(join(project, 'js2', 'migrations.js'), 'export const visitV1toV2 = (old) => ({ count: old.count, firstSeen: `visit ${old.count} under version 1` });\n');
    await writeFile(join(project, 'js2', 'app.js'), devicesApp);
    expect(await sh('npx', ['typed-sessions', 'gen', '--spec', 'js2/sessions.yaml', '--out', 'js2/generated'], project)).toContain('js2/generated/index.js');
    await serving(project, 'js2/app.js', key, async (url) => {
      const migrated = await fetch(url, { headers: { cookie: v1Cookie } });
      expect(await migrated.json()).toEqual({ count: 3, firstSeen: 'visit 2 under version 1' });
      for (const agent of ['laptop', 'phone']) await fetch(`${url}login`, { method: 'POST', headers: { 'user-agent': agent } });
      const listed = (await (await fetch(`${url}devices`)).json()) as { summary: { agent: string } }[];
      expect(listed.map((entry) => entry.summary.agent).sort()).toEqual(['laptop', 'phone']);
      expect(await (await fetch(`${url}revoke-all`, { method: 'POST' })).json()).toEqual({ revoked: 2 });
      expect(await (await fetch(`${url}devices`)).json()).toEqual([]);
    });
  });

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

/** Starts `entry` in `project` with `key` as its ring, and sees its visit counter count 1, then 2; resolves to the last cookie. */
async function expectCounting(project: string, entry: string, key: string): Promise<string> {
  return serving(project, entry, key, async (url) => {
    const first = await fetch(url);
    expect(await first.json()).toEqual({ count: 1 });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const second = await fetch(url, { headers: { cookie } });
    expect(await second.json()).toEqual({ count: 2 });
    return second.headers.get('set-cookie')!.split(';')[0]!;
  });
}

/** Runs `entry` in `project` with `key` as its ring while `use` talks to it. */
async function serving<T>(project: string, entry: string, key: string, use: (url: string) => Promise<T>): Promise<T> {
  const server = spawn(process.execPath, [entry], { cwd: project, env: { ...process.env, SESSION_KEYS: key } });
  try {
    const port = await new Promise<number>((done, failed) => {
      server.stdout.on('data', (chunk: Buffer) => {
        const match = /listening (\d+)/.exec(chunk.toString());
        if (match) done(Number(match[1]));
      });
      server.on('exit', (code) => failed(new Error(`${entry} exited with ${code}`)));
    });
    return await use(`http://127.0.0.1:${port}/`);
  } finally {
    server.kill();
  }
}
