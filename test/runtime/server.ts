/**
 * A real Koa 3 server on 127.0.0.1 for the runtime tests, with a fake clock, a spying storage, captured
 * events and warnings, and routes that drive `ctx.sessions` by URL:
 *
 *   GET    /s/:name              -> { value }          (get)
 *   PUT    /s/:name   JSON body  -> 204, or 422 { name, code, message } when set throws
 *   POST   /s/:name/or-set JSON  -> { value }          (getOrSet)
 *   DELETE /s/:name              -> 204                (clear)
 *   POST   /s/:name/regenerate   -> 204
 *   GET    /s/:name/then-throw   -> get, then ctx.throw(401)
 *   GET    /plain                -> 'plain', no session touched
 */
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import Koa from 'koa';
import { MemoryStorage, generateKey, type InstallOptions, type LifecycleEvent, type SessionEvent, type Storage, type StoredEntry, type WriteOptions } from 'typed-sessions';
import { createSessionsMiddleware, type SpecDefinition } from 'typed-sessions/core';
import { spec as defaultSpec, type TestSessions } from './fixtures.js';

/** 2025-01-01T00:00:00Z. */
export const START = Date.UTC(2025, 0, 1);

export class FakeClock {
  now = START;
  readonly read = (): number => this.now;
  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

export type StorageCall = readonly [operation: 'read' | 'write' | 'invalidate', key: string, ...rest: unknown[]];

/**
 * A memory storage that records every call and can be told to fail (`reject`) or never answer (`hang`).
 */
export class SpyStorage implements Storage {
  readonly calls: StorageCall[] = [];
  readonly inner: MemoryStorage;
  mode: 'ok' | 'reject' | 'hang' = 'ok';
  /** Operations the mode applies to; default all. */
  faultOn: ReadonlySet<StorageCall[0]> | undefined = undefined;

  constructor(clock: FakeClock) {
    this.inner = new MemoryStorage({ maxEntries: 1000, clock: clock.read });
  }

  read(key: string, slideSeconds?: number, touchAfterSeconds?: number): Promise<StoredEntry | undefined> {
    return this.#run(['read', key, slideSeconds, touchAfterSeconds], () => this.inner.read(key, slideSeconds, touchAfterSeconds));
  }
  write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    return this.#run(['write', key, value, ttlSeconds, options], () => this.inner.write(key, value, ttlSeconds, options));
  }
  invalidate(key: string, ifVersion?: string): Promise<boolean> {
    return this.#run(['invalidate', key, ifVersion], () => this.inner.invalidate(key, ifVersion));
  }

  #run<T>(call: StorageCall, run: () => Promise<T>): Promise<T> {
    this.calls.push(call);
    if (this.mode === 'ok' || (this.faultOn !== undefined && !this.faultOn.has(call[0]))) return run();
    return this.mode === 'reject' ? Promise.reject(new Error('connection refused')) : new Promise<T>(() => {});
  }
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly clock: FakeClock;
  readonly storage: SpyStorage;
  readonly events: SessionEvent[];
  /** What `onLifecycle` got, in order. */
  readonly lifecycle: LifecycleEvent[];
  readonly warnings: { message: string; fields: Record<string, unknown> }[];
  readonly key: string;
  /** Every `ctx.sessions` the routes saw, in order. */
  readonly seen: TestSessions[];
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly spec?: SpecDefinition;
  readonly install?: Partial<InstallOptions>;
  /** `app.proxy`: trust X-Forwarded-Proto. */
  readonly proxy?: boolean;
  /** Runs before the default routes; return without calling next to answer yourself. */
  readonly routes?: TestRoutes;
  /** Runs before the sessions middleware: an app's own error handling, for example. */
  readonly outer?: Koa.Middleware;
  /** Node's limit for all request headers together, in bytes; default Node's (16 KiB). */
  readonly maxHeaderSize?: number;
  /** Default: a free port. A stopped server's port restarts the app on the same origin, as a deploy does. */
  readonly port?: number;
}

/** Test routes: Koa middleware that also gets `ctx.sessions` typed for the test spec (fixtures.ts). */
export type TestRoutes = (ctx: Koa.Context, next: Koa.Next, sessions: TestSessions) => unknown;

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const clock = new FakeClock();
  const storage = new SpyStorage(clock);
  const events: SessionEvent[] = [];
  const lifecycle: LifecycleEvent[] = [];
  const warnings: TestServer['warnings'] = [];
  const seen: TestSessions[] = [];
  const key = generateKey();
  const app = new Koa({ proxy: options.proxy ?? false });
  app.silent = true;
  if (options.outer) app.use(options.outer);
  app.use(
    createSessionsMiddleware(options.spec ?? defaultSpec, {
      keys: { main: key },
      storages: { mem: storage },
      env: {},
      clock: clock.read,
      onEvent: (event) => events.push(event),
      onLifecycle: (event) => lifecycle.push(event),
      logger: { warn: (message, fields) => warnings.push({ message, fields }) },
      storageTimeout: 200,
      ...options.install,
    }),
  );
  app.use(async function recordSessions(ctx, next) {
    seen.push(ctx.sessions as unknown as TestSessions);
    await next();
  });
  const routes = options.routes;
  if (routes) app.use((ctx, next) => routes(ctx, next, ctx.sessions as unknown as TestSessions));
  app.use(sessionRoutes);
  // A backlog past Node's default 511: a burst of new connections (the load test's 1,000 clients) is
  // accepted at once instead of waiting out SYN retransmissions.
  const server = createServer({ maxHeaderSize: options.maxHeaderSize }, app.callback()).listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 2048 });
  await new Promise((done) => server.once('listening', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clock,
    storage,
    events,
    lifecycle,
    warnings,
    key,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

async function sessionRoutes(ctx: Koa.Context): Promise<void> {
  if (ctx.path === '/plain') {
    ctx.body = 'plain';
    return;
  }
  const match = /^\/s\/([a-z]+)(?:\/([a-z-]+))?$/.exec(ctx.path);
  if (!match) ctx.throw(404);
  const name = match[1] as keyof import('./fixtures.js').SessionMap;
  const sessions = ctx.sessions as unknown as TestSessions;
  const route = `${ctx.method} ${match[2] ?? ''}`;
  // A session with `load: lazy` is loaded when asked; every other resolves at once.
  await sessions.load(name);
  switch (route) {
    case 'GET ':
      ctx.body = { value: sessions.get(name) ?? null };
      return;
    case 'PUT ':
      try {
        sessions.set(name, (await readJson(ctx)) as never);
        ctx.status = 204;
      } catch (error) {
        const { name: errorName, code, message } = error as { name: string; code: string; message: string };
        ctx.status = 422;
        ctx.body = { name: errorName, code, message };
      }
      return;
    case 'POST or-set': {
      const body = await readJson(ctx);
      ctx.body = { value: sessions.getOrSet(name, () => body as never) };
      return;
    }
    case 'DELETE ':
      sessions.clear(name);
      ctx.status = 204;
      return;
    case 'POST regenerate':
      sessions.regenerate(name as 'visit' | 'cart');
      ctx.status = 204;
      return;
    case 'GET then-throw':
      sessions.get(name);
      ctx.throw(401, 'not signed in');
  }
  ctx.throw(404);
}

async function readJson(ctx: Koa.Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The `name=value` part of each Set-Cookie line. */
export function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((line) => line.split(';')[0]!);
}

/** The value of the cookie `name` set by `response`; throws when there is none. */
export function cookieValue(response: Response, name: string): string {
  const pair = cookiePairs(response).find((candidate) => candidate.startsWith(`${name}=`));
  if (pair === undefined) throw new Error(`no Set-Cookie for ${name}`);
  return pair.slice(name.length + 1);
}

export async function putJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'PUT', body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });
}

/** Creates a `visit` session, tracked by id, on the server at `url`, and returns its id. */
export async function createVisit(url: string): Promise<string> {
  const response = await putJson(`${url}/s/visit`, { count: 1 });
  if (response.status !== 204) throw new Error(`PUT /s/visit answered ${response.status}`);
  return cookieValue(response, 'vid');
}

/** What the server at `url` answers for the `visit` session with id `id`: `{ value: null }` when it has none. */
export async function readVisit(url: string, id: string): Promise<unknown> {
  return (await fetch(`${url}/s/visit`, { headers: { cookie: `vid=${id}` } })).json();
}

/** An insecure (`profile`) token: the envelope as plain base64url, as the runtime writes it unsealed. */
export function forgeProfileToken(createdAt: string | number, lastSeenAt: string | number, payload: string): string {
  return Buffer.from(`${createdAt}.${lastSeenAt}.${payload}`, 'utf8').toString('base64url');
}

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  /** Header lines, lower-cased names. */
  readonly headers: readonly [string, string][];
  readonly body: string;
}

/**
 * Sends `headerLines` byte for byte (as latin1, so any byte can be sent), for input `fetch` refuses to
 * send: control characters, non-Latin-1 text, repeated headers.
 */
export function sendRaw(port: number, path: string, headerLines: readonly string[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      resolve({
        status: Number(statusLine.split(' ')[1]),
        head,
        headers: lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
        body,
      });
    });
    const request = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n');
    socket.end(Buffer.from(request, 'latin1'));
  });
}
