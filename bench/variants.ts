/**
 * The servers the benchmark compares. Every variant serves the same two routes with the same payload:
 *
 *   POST /login    -> 204, and a session { userId, count: 0 } (how the load generator gets its cookies)
 *   GET  /counter  -> { count }: read the session, add one, write it back (`writes: false`: read only)
 *
 * Bare Koa answers the same JSON with no session at all: the limit every other variant is measured against.
 * The `untouched` pair measures a route that uses no session: ours with an encrypted session's cookie in
 * every request, against bare Koa with a cookie of the same size.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import Koa from 'koa';
import session from 'koa-session';
import type { Sessions } from 'typed-sessions';
import { RedisStorage } from '../runtime/storage/redis.js';
import { installSessions, type ByIdSessionName, type Counter, type SessionMap } from './generated/index.js';

/** What every variant's server is given: the one key of the run, and the Redis server of the run. */
export interface BenchConfig {
  readonly key: string;
  readonly redisUrl: string;
}

export interface VariantServer {
  readonly app: Koa;
  /** Closes what the app holds besides its HTTP server (Redis clients). */
  close(): Promise<void>;
}

export interface Variant {
  /** What `bench/server.ts` is started with. */
  readonly name: string;
  /** Row label in the report. */
  readonly label: string;
  /** Whether GET /counter writes the session back (a `Set-Cookie` on every response). */
  readonly writes: boolean;
  build(config: BenchConfig): Promise<VariantServer>;
}

const LOGIN = { userId: 'bench-user', count: 0 } satisfies Counter;
const ONE_DAY_MS = 86_400_000;

type BenchContext = { sessions: Sessions<SessionMap, ByIdSessionName> };

/** What GET /counter does with the session. */
type Use = 'read+write' | 'read' | 'nothing';

/** typed-sessions with the bench spec: every variant of ours installs the whole spec and uses one session. */
function ours(name: string, label: string, sessionName: keyof SessionMap, use: Use): Variant {
  const writes = use === 'read+write';
  return {
    name,
    label,
    writes,
    async build(config) {
      // Every server of ours needs the spec's Redis storage to start; only `in_redis` requests reach it.
      const redis = new RedisStorage(config.redisUrl, { prefix: 'bench:' });
      await redis.ready();
      const app = new Koa<Koa.DefaultState, BenchContext>();
      app.use(installSessions({ keys: { bench: config.key }, storages: { redis } }));
      app.use(async function counter(ctx) {
        if (ctx.method === 'POST' && ctx.path === '/login') {
          ctx.sessions.set(sessionName, LOGIN);
          ctx.status = 204;
          return;
        }
        if (use === 'nothing') return void (ctx.body = { count: 1 });
        const current = ctx.sessions.get(sessionName);
        if (current === undefined) return void (ctx.status = 401);
        const count = writes ? current.count + 1 : current.count;
        if (writes) ctx.sessions.set(sessionName, { userId: current.userId, count });
        ctx.body = { count };
      });
      return { app: app as unknown as Koa, close: () => redis.close() };
    },
  };
}

/** koa-session, configured as its README shows, with the same lifetime as the bench spec. */
function koaSession(name: string, label: string, store: 'cookie' | 'redis'): Variant {
  return {
    name,
    label,
    writes: true,
    async build(config) {
      const app = new Koa();
      app.keys = [config.key];
      const client = store === 'redis' ? new Redis(config.redisUrl) : undefined;
      app.use(
        session(
          {
            maxAge: ONE_DAY_MS,
            sameSite: 'lax',
            ...(client === undefined ? {} : { store: redisStore(client), prefix: 'koa-sess:' }),
          },
          app,
        ),
      );
      app.use(async function counter(ctx) {
        if (ctx.method === 'POST' && ctx.path === '/login') {
          ctx.session = { ...LOGIN };
          ctx.status = 204;
          return;
        }
        const current = ctx.session;
        if (current === null || typeof current.count !== 'number') return void (ctx.status = 401);
        current.count += 1;
        ctx.body = { count: current.count };
      });
      return { app, close: async () => void (await client?.quit()) };
    },
  };
}

/** The minimal external store koa-session's README describes (`get`, `set` with a maxAge in ms, `destroy`). */
function redisStore(client: Redis) {
  return {
    async get(key: string): Promise<Record<string, unknown> | undefined> {
      const text = await client.get(key);
      return text === null ? undefined : (JSON.parse(text) as Record<string, unknown>);
    },
    async set(key: string, value: unknown, maxAge: number | 'session' | undefined): Promise<void> {
      await client.set(key, JSON.stringify(value), 'PX', typeof maxAge === 'number' ? maxAge : ONE_DAY_MS);
    },
    async destroy(key: string): Promise<void> {
      await client.del(key);
    },
  };
}

/** Bare Koa: the same answers with no session at all; `loginCookie`, a Set-Cookie line /login sends (and nothing reads). */
function bare(name: string, label: string, loginCookie?: string): Variant {
  return {
    name,
    label,
    writes: false,
    async build() {
      const app = new Koa();
      app.use(async function counter(ctx) {
        if (ctx.method === 'POST' && ctx.path === '/login') {
          if (loginCookie !== undefined) ctx.append('Set-Cookie', loginCookie);
          return void (ctx.status = 204);
        }
        ctx.body = { count: 1 };
      });
      return { app, close: async () => undefined };
    },
  };
}

const bareKoa = bare('koa', 'bare Koa 3 (no sessions)');

// Every request after /login carries a cookie the size of an encrypted session's (base64url of header, nonce, envelope and tag).
const cookieKoa = bare('koa-cookie', 'bare Koa 3, requests carrying a session-sized cookie', `bench_enc=${randomBytes(109).toString('base64url')}; Path=/; HttpOnly; SameSite=Lax`);

/**
 * Bare Koa carrying what a by-value session puts on the wire, and nothing else: a cookie of the encrypted
 * variant's size in every request, and the same `Set-Cookie`, `Vary` and `Cache-Control` in every response.
 * The gap between it and bare Koa is HTTP's share of a session's cost, which no session library avoids.
 */
const headerFloor: Variant = {
  name: 'koa-headers',
  label: 'floor: bare Koa + the same cookie headers, no session work',
  writes: true,
  async build() {
    const app = new Koa();
    // The length of an encrypted bench session token (base64url of header, nonce, envelope and tag).
    const line = `bench_enc=${randomBytes(109).toString('base64url')}; Path=/; Max-Age=86400; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly; SameSite=Lax`;
    app.use(async function counter(ctx) {
      ctx.append('Set-Cookie', line);
      ctx.vary('Cookie');
      ctx.set('Cache-Control', 'no-store');
      if (ctx.method === 'POST' && ctx.path === '/login') return void (ctx.status = 204);
      ctx.body = { count: 1 };
    });
    return { app, close: async () => undefined };
  },
};

/** In report order; the first is the baseline of every ratio. */
export const VARIANTS: readonly Variant[] = [
  bareKoa,
  headerFloor,
  ours('encrypted', 'ours: encrypted cookie, read+write', 'encrypted', 'read+write'),
  ours('encrypted-read', 'ours: encrypted cookie, read only', 'encrypted', 'read'),
  cookieKoa,
  ours('untouched', 'ours: encrypted cookie, a route that uses no session', 'encrypted', 'nothing'),
  ours('signed', 'ours: signed cookie, read+write', 'signed', 'read+write'),
  ours('by-id-memory', 'ours: by id in memory, read+write', 'in_memory', 'read+write'),
  ours('by-id-redis', 'ours: by id in Redis, read+write', 'in_redis', 'read+write'),
  ours('by-id-redis-indexed', 'ours: by id in Redis, indexed by user, read+write', 'in_redis_indexed', 'read+write'),
  koaSession('koa-session', 'koa-session: signed cookie, read+write', 'cookie'),
  koaSession('koa-session-redis', 'koa-session: ioredis store, read+write', 'redis'),
];

export const BASELINE = VARIANTS[0]!;

/** @example findVariant('signed').label; // 'ours: signed cookie, read+write' */
export function findVariant(name: string): Variant {
  const variant = VARIANTS.find((candidate) => candidate.name === name);
  if (variant === undefined) throw new Error(`no bench variant "${name}"; known: ${VARIANTS.map((entry) => entry.name).join(', ')}`);
  return variant;
}
