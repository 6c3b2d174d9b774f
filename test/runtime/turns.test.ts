/**
 * Requests on one by-id session take turns in one process (runtime/tracker/turns.ts), through real HTTP:
 * the two bounds answer 503 without losing an update, every way a request ends gives its turn up, and
 * a turn is per id. Small bounds instead of a clock: a test asserts which answer came, never how soon.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstallOptions } from 'typed-sessions';
import { CartSessionProvider, VisitSessionProvider, specOf, specWith } from './fixtures.js';
import { countOf, Gates, increment, newVisit, raceRoutes } from './races.js';
import { FakeClock, SpyStorage, putJson, startServer, type TestRoutes, type TestServer } from './server.js';

let server: TestServer;
const gates = new Gates();
afterEach(() => server.close());

/** `GET /slow-read` reads the `visit` session, waits at its gate and answers it, changing nothing. */
const slowRead: TestRoutes = async (ctx, next, sessions) => {
  if (ctx.path !== '/slow-read') return next();
  const visit = sessions.get('visit');
  await gates.wait(ctx.get('x-gate') || undefined);
  ctx.body = { value: visit ?? null };
};

async function start(install: Partial<InstallOptions>): Promise<TestServer> {
  const race = raceRoutes(gates);
  server = await startServer({ install, outer: gates.counter, routes: (ctx, next, sessions) => slowRead(ctx, async () => race(ctx, next, sessions), sessions) });
  return server;
}

async function expectBusy(response: Response, message: string): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.getSetCookie()).toEqual([]);
  expect(await response.text()).toBe(message);
}

describe('the bounds', () => {
  it('a request whose turn does not come within queueTimeout gets a 503 with Retry-After and no Set-Cookie; the holder still writes', async () => {
    await start({ queueTimeout: 50 });
    const id = await newVisit(server);
    const holder = increment(server, id, 'hold');
    await gates.arrived('hold');
    await expectBusy(
      await increment(server, id),
      'session "visit" is in use by another request, and this one\'s turn did not come within 50 ms; nothing was read or written, retry the request',
    );
    expect(server.events).toContainEqual({ type: 'busy', session: 'visit', reason: 'queue' });
    expect(server.warnings).toContainEqual({ message: 'session busy with another request', fields: { session: 'visit', reason: 'queue' } });
    gates.open('hold');
    expect(await (await holder).json()).toEqual({ count: 2 });
    expect(await countOf(server, id)).toBe(2);
  });

  it('a request that holds the session past holdTimeout loses its turn: the next one goes ahead, and its own change is a 503, not written', async () => {
    await start({ holdTimeout: 50 });
    const id = await newVisit(server);
    const slow = increment(server, id, 'slow');
    await gates.arrived('slow');
    const next = await increment(server, id);
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ count: 2 });
    gates.open('slow');
    await expectBusy(
      await slow,
      'session "visit" was no longer this request\'s to change at commit: it held it past 50 ms, or lost its lock, and the next request went ahead; nothing was written, retry the request',
    );
    expect(server.events).toContainEqual({ type: 'busy', session: 'visit', reason: 'hold' });
    expect(await countOf(server, id)).toBe(2);
  });

  it('a read-only request that outlives holdTimeout still answers 200: it has nothing to write', async () => {
    await start({ holdTimeout: 50 });
    const id = await newVisit(server);
    const slow = fetch(`${server.url}/slow-read`, { headers: { cookie: `vid=${id}`, 'x-gate': 'read' } });
    await gates.arrived('read');
    expect((await increment(server, id)).status).toBe(200);
    gates.open('read');
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: { count: 1 } });
  });
});

/** Sends a PUT of `vid=id` with only part of its body, then drops the connection once the server has loaded the session. */
async function disconnectMidBody(id: string): Promise<void> {
  const loaded = server.seen.length + 1;
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(['PUT /s/visit HTTP/1.1', 'Host: 127.0.0.1', `Cookie: vid=${id}`, 'Content-Type: application/json', 'Content-Length: 100', '', '{"cou'].join('\r\n'));
  await expect.poll(() => server.seen.length, { timeout: 5000, interval: 5 }).toBe(loaded);
  socket.destroy();
}

describe('every way a request ends gives its turn up', () => {
  it.each([
    ['the handler throws', (id: string) => fetch(`${server.url}/s/visit/then-throw`, { headers: { cookie: `vid=${id}` } }).then((r) => r.status), 401],
    [
      'the storage fails at the load',
      async (id: string) => {
        server.storage.mode = 'reject';
        server.storage.faultOn = new Set(['read']);
        return (await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } })).status;
      },
      503,
    ],
    [
      'the storage times out at the load',
      async (id: string) => {
        server.storage.mode = 'hang';
        server.storage.faultOn = new Set(['read']);
        return (await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } })).status;
      },
      503,
    ],
    [
      'the storage fails at the commit',
      async (id: string) => {
        server.storage.mode = 'reject';
        server.storage.faultOn = new Set(['write']);
        return (await putJson(`${server.url}/s/visit`, { count: 9 }, { cookie: `vid=${id}` })).status;
      },
      503,
    ],
    ['the client disconnects in the middle of its body', (id: string) => disconnectMidBody(id).then(() => 'gone'), 'gone'],
  ] as const)('%s: the next request on the session goes ahead', async (_label, end, answer) => {
    await start({ queueTimeout: 1000 });
    const id = await newVisit(server);
    expect(await end(id)).toBe(answer);
    server.storage.mode = 'ok';
    const next = await increment(server, id);
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ count: 2 });
  });

  it('a client that disconnects while its request holds the session: the turn lasts until the handler ends, its write lands, and the next request builds on it', async () => {
    await start({});
    const id = await newVisit(server);
    const abort = new AbortController();
    const gone = fetch(`${server.url}/race/increment`, { method: 'POST', headers: { cookie: `vid=${id}`, 'x-gate': 'gone' }, signal: abort.signal });
    await gates.arrived('gone');
    abort.abort();
    await expect(gone).rejects.toThrow();
    const base = gates.arrivals;
    const next = increment(server, id);
    await gates.reached(base + 1);
    gates.open('gone');
    expect(await (await next).json()).toEqual({ count: 3 });
    expect(await countOf(server, id)).toBe(3);
  });
});

describe('load: lazy', () => {
  it('a session loaded on demand takes its turn when the handler loads it: a route that never loads it does not wait, one that does gets the 503', async () => {
    server = await startServer({
      spec: specWith({ ...VisitSessionProvider.definition, load: 'lazy' }),
      install: { queueTimeout: 50 },
      routes: async (ctx, next, sessions) => {
        if (ctx.path !== '/lazy-hold') return next();
        const visit = (await sessions.load('visit')) as { count: number };
        await gates.wait('lazy');
        sessions.set('visit', { count: visit.count + 1 });
        ctx.status = 204;
      },
    });
    const id = await newVisit(server);
    const holder = fetch(`${server.url}/lazy-hold`, { headers: { cookie: `vid=${id}` } });
    await gates.arrived('lazy');
    expect(await (await fetch(`${server.url}/plain`, { headers: { cookie: `vid=${id}` } })).text()).toBe('plain');
    await expectBusy(
      await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } }),
      'session "visit" is in use by another request, and this one\'s turn did not come within 50 ms; nothing was read or written, retry the request',
    );
    gates.open('lazy');
    expect((await holder).status).toBe(204);
  });
});

describe('a request that has ended takes no turn', () => {
  it('a load after the response is a SessionStateError, and the next request on the id goes ahead', async () => {
    let late: Promise<unknown> | undefined;
    server = await startServer({
      spec: specWith({ ...VisitSessionProvider.definition, load: 'lazy' }),
      install: { queueTimeout: 50 },
      outer: gates.counter,
      routes: async (ctx, next, sessions) => {
        if (ctx.path !== '/late-load') return next();
        ctx.body = 'answered';
        late = new Promise((settled) => setTimeout(() => settled(sessions.load('visit').catch((error: unknown) => error)), 20));
      },
    });
    const id = await newVisit(server);
    expect(await (await fetch(`${server.url}/late-load`, { headers: { cookie: `vid=${id}` } })).text()).toBe('answered');
    expect(await late).toMatchObject({ name: 'SessionStateError', message: expect.stringMatching(/^session "visit" loaded after the response was committed/) });
    expect(await countOf(server, id)).toBe(1);
  });
});

/** A memory storage with a lock shared by the servers that use it, standing in for RedisStorage's. */
class LockingStorage extends SpyStorage {
  readonly #held = new Map<string, string>();
  async lock(key: string, token: string): Promise<boolean> {
    if (this.#held.has(key)) return false;
    this.#held.set(key, token);
    return true;
  }
  async renewLock(key: string, token: string): Promise<boolean> {
    return this.#held.get(key) === token;
  }
  async unlock(key: string, token: string): Promise<void> {
    if (this.#held.get(key) === token) this.#held.delete(key);
  }
}

describe('turns lost on two sessions at once', () => {
  it('a write that held a serialized and a plain by-id session past holdTimeout is one 503, and no rejection goes unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      server = await startServer({
        spec: specOf([{ ...VisitSessionProvider.definition, concurrency: 'serialize' }, CartSessionProvider.definition], { mem: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' } }),
        install: { storages: { mem: new LockingStorage(new FakeClock()) }, holdTimeout: 50 },
        outer: gates.counter,
        routes: async (ctx, next, sessions) => {
          if (ctx.path !== '/slow-write') return next();
          await gates.wait('slow');
          sessions.set('cart', { items: [] });
          ctx.status = 204;
        },
      });
      const id = await newVisit(server);
      const cart = (await putJson(`${server.url}/s/cart`, { items: [] })).headers.get('x-cart')!;
      const slow = fetch(`${server.url}/slow-write`, { headers: { cookie: `vid=${id}`, 'x-cart': cart } });
      await gates.arrived('slow');
      // Past holdTimeout: both turns have passed on by the time the handler writes.
      await new Promise((elapsed) => setTimeout(elapsed, 120));
      gates.open('slow');
      expect((await slow).status).toBe(503);
      await new Promise((settled) => setImmediate(settled));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('a turn is per id', () => {
  it('a request on another session id does not wait for one that holds this one', async () => {
    await start({ queueTimeout: 50 });
    const [held, free] = [await newVisit(server), await newVisit(server)];
    const holder = increment(server, held, 'hold');
    await gates.arrived('hold');
    expect((await increment(server, free)).status).toBe(200);
    gates.open('hold');
    expect((await holder).status).toBe(200);
  });

  it('#4 a repeated cookie carrying one id twice shares the request\'s turn instead of waiting for itself: refused as ambiguous at once', async () => {
    await start({ queueTimeout: 50 });
    const id = await newVisit(server);
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}; vid=${id}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(server.events).toContainEqual({ type: 'rejected', session: 'visit', reason: 'ambiguous', source: 'token' });
  });
});
