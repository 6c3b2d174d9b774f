/**
 * Cold start: from spawning a fresh Node process to the first response it sends (`POST /login`, which
 * creates a session), and the process's peak RSS by then (VmHWM), for apps with a one-session spec:
 * typed-sessions against koa-session with a signed cookie, and again by id in Redis against koa-session with
 * an ioredis store; bare Koa as the floor. Whole processes, as a deploy, a restart or a serverless invocation
 * starts them, run from the installed app (bench/installed-app.ts) as plain JavaScript with
 * NODE_ENV=production, on the server CPU.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { AppFiles } from './installed-app.js';
import { median } from './median.js';
import { command } from './pinning.js';

const COUNTER_SCHEMA = `    schema:
      type: object
      properties: { userId: { type: string, minLength: 1, maxLength: 64 }, count: { type: integer, minimum: 0 } }
      required: [userId, count]
      additionalProperties: false
`;

/** The one session of each spec, with the benchmark's payload and lifetime. */
const SPECS = {
  'cold-signed.yaml': `version: 1
keys:
  bench: { env: BENCH_SESSION_KEYS }
sessions:
  signed:
    name: bench_sig
    transform: [{ sign: bench }]
    expiry: { maxAge: 1d }
${COUNTER_SCHEMA}`,
  'cold-redis.yaml': `version: 1
storages:
  redis: { kind: redis, url: { env: BENCH_REDIS_URL }, prefix: "cold:" }
sessions:
  in_redis:
    name: bench_redis
    storage: redis
    expiry: { maxAge: 1d }
${COUNTER_SCHEMA}`,
};

const PAYLOAD = `{ userId: 'bench-user', count: 0 }`;
const LISTEN = `const server = app.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));\n`;
const KOA_SESSION = `import Koa from 'koa';
import session from 'koa-session';
const app = new Koa();
app.keys = [process.env.BENCH_SESSION_KEYS];
`;

interface ColdApp {
  readonly name: string;
  readonly label: string;
  /** The app each run of this one is compared with, in the same round. */
  readonly against: string;
  /** Whether its first response sets a cookie: a server that did less would look faster. */
  readonly setsCookie: boolean;
  readonly source: string;
}

const APPS: readonly ColdApp[] = [
  {
    name: 'koa',
    label: 'bare Koa 3 (no sessions)',
    against: 'koa-session',
    setsCookie: false,
    source: `import Koa from 'koa';
const app = new Koa();
app.use((ctx) => { ctx.status = 204; });
${LISTEN}`,
  },
  {
    name: 'koa-session',
    label: 'koa-session: signed cookie',
    against: 'koa-session',
    setsCookie: true,
    source: `${KOA_SESSION}app.use(session({ maxAge: 86_400_000, sameSite: 'lax' }, app));
app.use((ctx) => { ctx.session = ${PAYLOAD}; ctx.status = 204; });
${LISTEN}`,
  },
  {
    name: 'ours',
    label: 'ours: signed cookie, one-session spec',
    against: 'koa-session',
    setsCookie: true,
    source: `import Koa from 'koa';
import { installSessions } from './cold-signed/index.js';
const app = new Koa();
app.use(installSessions());
app.use((ctx) => { ctx.sessions.set('signed', ${PAYLOAD}); ctx.status = 204; });
${LISTEN}`,
  },
  {
    name: 'koa-session-redis',
    label: 'koa-session: ioredis store',
    against: 'koa-session-redis',
    setsCookie: true,
    source: `import { Redis } from 'ioredis';
${KOA_SESSION}import { redisStore } from './koa-session-stores.js';
app.use(session({ maxAge: 86_400_000, sameSite: 'lax', store: redisStore(new Redis(process.env.BENCH_REDIS_URL)), prefix: 'cold-koa:' }, app));
app.use(async (ctx) => { ctx.session = ${PAYLOAD}; ctx.status = 204; });
${LISTEN}`,
  },
  {
    // Waits for Redis before listening, as an app whose storage fails fast must (no offline queue); ioredis
    // queues koa-session's first command until it is connected instead, so both pay for the connection.
    name: 'ours-redis',
    label: 'ours: by id in Redis, one-session spec',
    against: 'koa-session-redis',
    setsCookie: true,
    source: `import Koa from 'koa';
import { RedisStorage } from 'typed-sessions/redis';
import { installSessions } from './cold-redis/index.js';
const redis = new RedisStorage(process.env.BENCH_REDIS_URL, { prefix: 'cold:' });
await redis.ready();
const app = new Koa();
app.use(installSessions({ storages: { redis } }));
app.use((ctx) => { ctx.sessions.set('in_redis', ${PAYLOAD}); ctx.status = 204; });
${LISTEN}`,
  },
];

/** What the installed app needs for the cold starts: the specs, generated beside them, and the apps. */
export const COLD_START_FILES: AppFiles = {
  files: { ...SPECS, ...Object.fromEntries(APPS.map((app) => [`cold-${app.name}.js`, app.source])) },
  specs: Object.keys(SPECS).map((spec) => ({ spec, out: spec.replace(/\.yaml$/, '') })),
};

export interface ColdStartFigure {
  readonly name: string;
  readonly label: string;
  readonly against: string;
  /** Milliseconds from spawn to the first response, one per run. */
  readonly runs: readonly number[];
  readonly median: number;
  /** Per run, this app's time over its `against`'s in that run; the median of those. */
  readonly ratio: number;
  /** The process's peak RSS (VmHWM) after its first response, MiB, the median of the runs; NaN without /proc. */
  readonly peakRss: number;
  /** Per run, this app's peak RSS minus its `against`'s, MiB; the median of those. */
  readonly rssDelta: number;
}

export interface ColdStartOptions {
  readonly runs: number;
  readonly app: string;
  readonly key: string;
  readonly redisUrl: string;
  /** What to run each app behind (`taskset -c 0`), or nothing. */
  readonly pin: readonly string[];
  readonly log: (line: string) => void;
}

/**
 * `runs` rounds of every app, each a fresh process, after one round that is not counted (it fills the
 * file cache). The order of the apps rotates from round to round, so none always follows the same one.
 */
export async function runColdStart(options: ColdStartOptions): Promise<ColdStartFigure[]> {
  const env = { PATH: process.env.PATH, NODE_ENV: 'production', BENCH_SESSION_KEYS: options.key, BENCH_REDIS_URL: options.redisUrl };
  const measured = new Map<string, { ms: number; rss: number }[]>(APPS.map((app) => [app.name, []]));
  for (let round = 0; round <= options.runs; round += 1) {
    for (let index = 0; index < APPS.length; index += 1) {
      const app = APPS[(round + index) % APPS.length]!;
      const figures = await firstResponse(app, options, env);
      if (round > 0) measured.get(app.name)!.push(figures);
    }
    if (round > 0)
      options.log(`cold start ${round}/${options.runs}: ${APPS.map((app) => `${app.name} ${Math.round(measured.get(app.name)!.at(-1)!.ms)} ms`).join(', ')}`);
  }
  return APPS.map(({ name, label, against }) => {
    const own = measured.get(name)!;
    const other = measured.get(against)!;
    return {
      name,
      label,
      against,
      runs: own.map((run) => run.ms),
      median: median(own.map((run) => run.ms)),
      ratio: median(own.map((run, index) => run.ms / other[index]!.ms)),
      peakRss: median(own.map((run) => run.rss)),
      rssDelta: median(own.map((run, index) => run.rss - other[index]!.rss)),
    };
  });
}

/** Spawns `app`, waits for the port it prints, sends `POST /login`: the milliseconds until the answer, and VmHWM then. */
async function firstResponse(app: ColdApp, options: ColdStartOptions, env: NodeJS.ProcessEnv): Promise<{ ms: number; rss: number }> {
  const start = performance.now();
  const child = spawn(...command(options.pin, process.execPath, [`cold-${app.name}.js`]), { cwd: options.app, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  try {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), exited.then(() => [undefined])])) as [Buffer | undefined];
    if (chunk === undefined) throw new Error(`cold-start app ${app.name} exited before listening`);
    const { status, setCookie } = await login(Number(chunk.toString().trim()));
    const ms = performance.now() - start;
    if (status !== 204 || setCookie !== app.setsCookie) {
      throw new Error(
        `cold-start app ${app.name}: POST /login answered ${status} with${setCookie ? '' : 'out'} Set-Cookie; expected 204${app.setsCookie ? ' and a Set-Cookie' : ''}`,
      );
    }
    return { ms, rss: await peakRssMiB(child.pid!) };
  } finally {
    child.kill();
    await exited;
  }
}

/** VmHWM of a live process, in MiB (NaN where there is no /proc). */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? Number.NaN : Number(kib) / 1024;
}

function login(port: number): Promise<{ status: number; setCookie: boolean }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method: 'POST', path: '/login', agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve({ status: response.statusCode ?? 0, setCookie: (response.headers['set-cookie']?.length ?? 0) > 0 }));
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}
