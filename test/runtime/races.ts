/**
 * Concurrent requests on one session tracked by id, through real HTTP, for any storage:
 * - `describeTurns`: in one process, requests on one id take turns (runtime/tracker/turns.ts), so none
 *   is refused and no update lost; memory runs it in test/runtime/races.test.ts, directory in
 *   test/storage/directory-http.test.ts, Redis (with `concurrency: serialize`) in test/storage/redis-http.test.ts;
 * - `describeRaces`: two servers on one storage, two processes whose requests race, where the version
 *   check decides (security.md #44, #49, #50); memory and Redis.
 *
 * `POST /race/increment` loads the `visit` session, waits at a gate the test opens (so the test decides
 * when each request commits), then sets `count + 1` and answers `{ count }`; `POST /race/regenerate`
 * does the same, then regenerates the id.
 */
import fc from 'fast-check';
import type Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { storageKeyForId } from '../../runtime/ids.js';
import { cookieValue, putJson, type ServerOptions, type TestRoutes, type TestServer } from './server.js';

/**
 * Where each request waits: by the name in its `x-gate` header; no header, no wait. Installed as the
 * server's `outer` middleware, `counter` also counts the requests that reached the server, before the
 * sessions middleware: a test knows when they are all in, waiting for their turn or at their gates.
 */
export class Gates {
  readonly #waiting = new Map<string, () => void>();
  /** When set, each gate waits for this instead, so a fast-check scheduler orders them. */
  schedule: ((label: string) => Promise<unknown>) | undefined = undefined;
  /** Requests that have reached the server so far. */
  arrivals = 0;

  readonly counter: Koa.Middleware = (_ctx, next) => {
    this.arrivals += 1;
    return next();
  };

  /** Resolves once `arrivals` is at least `count`. */
  async reached(count: number): Promise<void> {
    await vi.waitFor(() => expect(this.arrivals).toBeGreaterThanOrEqual(count), { timeout: 5000, interval: 5 });
  }

  wait(name: string | undefined): Promise<unknown> {
    if (name === undefined) return Promise.resolve();
    if (this.schedule !== undefined) return this.schedule(name);
    return new Promise((resolve) => this.#waiting.set(name, () => resolve(undefined)));
  }

  /** Resolves once the request holding `name` has loaded its session and waits. */
  async arrived(name: string): Promise<void> {
    await vi.waitFor(() => expect(this.#waiting.has(name)).toBe(true), { timeout: 5000, interval: 5 });
  }

  open(name: string): void {
    this.#waiting.get(name)?.();
    this.#waiting.delete(name);
  }
}

export function raceRoutes(gates: Gates): TestRoutes {
  return async (ctx, next, sessions) => {
    const action = /^\/race\/(increment|regenerate)$/.exec(ctx.path)?.[1];
    if (action === undefined) return next();
    const count = sessions.get('visit')?.count ?? 0;
    await gates.wait(ctx.get('x-gate') || undefined);
    sessions.set('visit', { count: count + 1 });
    if (action === 'regenerate') sessions.regenerate('visit');
    ctx.body = { count: count + 1 };
  };
}

export type StartRaceServer = (options: ServerOptions) => Promise<TestServer>;

/** A new `visit` session at `count` on `server`; its id. */
export async function newVisit(server: TestServer, count = 1): Promise<string> {
  return cookieValue(await putJson(`${server.url}/s/visit`, { count }), 'vid');
}

/** `POST /race/increment` on `server` for the session `id`, waiting at `gate` when given. */
export function increment(server: TestServer, id: string, gate?: string): Promise<Response> {
  return fetch(`${server.url}/race/increment`, { method: 'POST', headers: { cookie: `vid=${id}`, ...(gate ? { 'x-gate': gate } : {}) } });
}

/** The count of the session `id` as `server` reads it, `null` when it has none. */
export async function countOf(server: TestServer, id: string): Promise<number | null> {
  const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
  return ((await response.json()) as { value: { count: number } | null }).value?.count ?? null;
}

/**
 * 20 concurrent increments of one new session (count 0), sent in turn to `servers`, all in at once: the
 * first holds the session until the 19 others have reached their server, where without turns they would
 * load count 0 too. Expects 20 answers of 200, each having seen the one before (counts 1 to 20), and a
 * count of 20; resolves to the session's id.
 */
export async function expectTwentyIncrements(gates: Gates, servers: readonly TestServer[]): Promise<string> {
  const serverOf = (index: number) => servers[index % servers.length]!;
  const id = await newVisit(serverOf(0), 0);
  const base = gates.arrivals;
  const first = increment(serverOf(0), id, 'first');
  await gates.arrived('first');
  const rest = Array.from({ length: 19 }, (_, index) => increment(serverOf(index + 1), id));
  await gates.reached(base + 20);
  gates.open('first');
  const responses = await Promise.all([first, ...rest]);
  expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
  const counts = await Promise.all(responses.map(async (response) => ((await response.json()) as { count: number }).count));
  expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  expect(await countOf(serverOf(0), id)).toBe(20);
  return id;
}

/**
 * @example
 * describeTurns('memory', startServer);
 */
export function describeTurns(name: string, start: StartRaceServer): void {
  describe(`${name}: requests on one session in one process take turns`, () => {
    const gates = new Gates();
    let server: TestServer;
    beforeAll(async () => {
      server = await start({ routes: raceRoutes(gates), outer: gates.counter });
    });
    afterAll(() => server.close());

    it('20 concurrent increments on one session, all in the server at once: 20 x 200, each saw the one before it, and the count ends at 20', async () => {
      await expectTwentyIncrements(gates, [server]);
    });

    it('under every ordering the scheduler picks for three concurrent increments, all three answer 200 and the count ends at 1 + 3', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), async (s) => {
          const id = await newVisit(server);
          // A gate opens only once all three are in the server, so without turns all three would have loaded.
          const all = gates.arrivals + 3;
          gates.schedule = (label) => gates.reached(all).then(() => s.schedule(Promise.resolve(label)));
          try {
            const send = (gate: string) => s.schedule(Promise.resolve(`send ${gate}`)).then(() => increment(server, id, gate));
            const responses = await s.waitFor(Promise.all(['a', 'b', 'c'].map(send)));
            expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
            expect(await countOf(server, id)).toBe(4);
          } finally {
            gates.schedule = undefined;
          }
        }),
        { numRuns: 25 },
      );
    });

    it('#50 a logout sent while a slower request holds the session waits for it, and the session ends cleared', async () => {
      const id = await newVisit(server);
      const slow = increment(server, id, 'slow');
      await gates.arrived('slow');
      const base = gates.arrivals;
      const logout = fetch(`${server.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } });
      await gates.reached(base + 1);
      gates.open('slow');
      expect((await slow).status).toBe(200);
      expect((await logout).status).toBe(204);
      expect(await countOf(server, id)).toBeNull();
    });
  });
}

/**
 * `startTwo` starts two servers on one storage: two processes, whose requests on one session race.
 *
 * @example
 * describeRaces('memory', startTwoOnOneStorage, (server, key) => server.storage.inner.read(key));
 */
export function describeRaces(
  name: string,
  startTwo: (options: ServerOptions) => Promise<readonly [TestServer, TestServer]>,
  readKey: (server: TestServer, key: string) => Promise<unknown>,
): void {
  describe(`${name}: races on one session between two processes`, () => {
    const gates = new Gates();
    let one: TestServer;
    let other: TestServer;
    beforeAll(async () => {
      [one, other] = await startTwo({ routes: raceRoutes(gates), outer: gates.counter });
    });
    afterAll(() => Promise.all([one.close(), other.close()]));

    async function expectConflict(response: Response): Promise<void> {
      expect(response.status).toBe(409);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.text()).toMatch(/^session "visit" was changed or cleared by another request since this one loaded it; nothing was written, retry the request$/);
    }

    it('#50 a request that loaded the session before a logout in the other process does not bring it back when it commits: 409', async () => {
      const id = await newVisit(one);
      const slow = increment(one, id, 'slow');
      await gates.arrived('slow');
      expect((await fetch(`${other.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } })).status).toBe(204);
      const events = one.events.length;
      gates.open('slow');
      await expectConflict(await slow);
      expect(one.events.slice(events)).toEqual([{ type: 'conflict', session: 'visit', storage: 'mem' }]);
      expect(await readKey(one, storageKeyForId('visit', id))).toBeUndefined();
      expect(await countOf(one, id)).toBeNull();
    });

    it('#50 a regenerate that loaded the session before a logout in the other process leaves neither the old nor a new entry', async () => {
      const id = await newVisit(one);
      const regenerate = fetch(`${one.url}/race/regenerate`, { method: 'POST', headers: { cookie: `vid=${id}`, 'x-gate': 'regen' } });
      await gates.arrived('regen');
      await fetch(`${other.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } });
      gates.open('regen');
      await expectConflict(await regenerate);
      expect(await countOf(one, id)).toBeNull();
    });

    it('#49 two requests in two processes that loaded the same session: the first to commit wins, the second gets 409, nothing is lost silently', async () => {
      const id = await newVisit(one);
      const [first, second] = [increment(one, id, 'a'), increment(other, id, 'b')];
      await Promise.all([gates.arrived('a'), gates.arrived('b')]);
      gates.open('b');
      expect((await second).status).toBe(200);
      gates.open('a');
      await expectConflict(await first);
      expect(await countOf(one, id)).toBe(2);
    });

    it('#49 under every ordering the scheduler picks for three concurrent increments over two processes, the count equals 1 + the increments answered 200, and the rest got 409', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), async (s) => {
          const id = await newVisit(one);
          // A gate opens only once all three are in: `a` and `b` have then both loaded, and their commits race.
          const all = gates.arrivals + 3;
          gates.schedule = (label) => gates.reached(all).then(() => s.schedule(Promise.resolve(label)));
          try {
            const send = (gate: string, server: TestServer) => s.schedule(Promise.resolve(`send ${gate}`)).then(() => increment(server, id, gate));
            const responses = await s.waitFor(Promise.all([send('a', one), send('b', other), send('c', one)]));
            const statuses = responses.map((response) => response.status);
            for (const status of statuses) expect([200, 409]).toContain(status);
            for (const response of responses) if (response.status === 409) expect(response.headers.getSetCookie()).toEqual([]);
            expect(await countOf(one, id)).toBe(1 + statuses.filter((status) => status === 200).length);
          } finally {
            gates.schedule = undefined;
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}
