/**
 * Races on one session tracked by id, through real HTTP, for any storage (security.md #44, #49, #50):
 * memory runs them in test/runtime/races.test.ts, Redis in test/storage/redis-http.test.ts.
 *
 * `POST /race/increment` loads the `visit` session, waits at a gate the test opens (so the test decides
 * when each request commits), then sets `count + 1` and answers `{ count }`; `POST /race/regenerate`
 * does the same, then regenerates the id.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { storageKeyForId } from '../../runtime/ids.js';
import { cookieValue, putJson, type ServerOptions, type TestRoutes, type TestServer } from './server.js';

/** Where each request waits: by the name in its `x-gate` header; no header, no wait. */
export class Gates {
  readonly #waiting = new Map<string, () => void>();
  /** When set, each gate waits for this instead, so a fast-check scheduler orders them. */
  schedule: ((label: string) => Promise<unknown>) | undefined = undefined;

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

/**
 * @example
 * describeRaces('memory', startServer, (server, key) => server.storage.inner.read(key));
 */
export function describeRaces(name: string, start: StartRaceServer, readKey: (server: TestServer, key: string) => Promise<unknown>): void {
  describe(`${name}: races on one session`, () => {
    const gates = new Gates();
    let server: TestServer;
    beforeAll(async () => {
      server = await start({ routes: raceRoutes(gates) });
    });
    afterAll(() => server.close());

    async function newVisit(): Promise<string> {
      return cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    }

    function increment(id: string, gate?: string): Promise<Response> {
      return fetch(`${server.url}/race/increment`, { method: 'POST', headers: { cookie: `vid=${id}`, ...(gate ? { 'x-gate': gate } : {}) } });
    }

    async function countOf(id: string): Promise<number | null> {
      const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
      return ((await response.json()) as { value: { count: number } | null }).value?.count ?? null;
    }

    async function expectConflict(response: Response): Promise<void> {
      expect(response.status).toBe(409);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.text()).toMatch(/^session "visit" was changed or cleared by another request since this one loaded it; nothing was written, retry the request$/);
    }

    it('#50 a request that loaded the session before a logout does not bring it back when it commits: 409', async () => {
      const id = await newVisit();
      const slow = increment(id, 'slow');
      await gates.arrived('slow');
      expect((await fetch(`${server.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } })).status).toBe(204);
      const events = server.events.length;
      gates.open('slow');
      await expectConflict(await slow);
      expect(server.events.slice(events)).toEqual([{ type: 'conflict', session: 'visit', storage: 'mem' }]);
      expect(await readKey(server, storageKeyForId('visit', id))).toBeUndefined();
      expect(await countOf(id)).toBeNull();
    });

    it('#50 a regenerate that loaded the session before a logout leaves neither the old nor a new entry', async () => {
      const id = await newVisit();
      const regenerate = fetch(`${server.url}/race/regenerate`, { method: 'POST', headers: { cookie: `vid=${id}`, 'x-gate': 'regen' } });
      await gates.arrived('regen');
      await fetch(`${server.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } });
      gates.open('regen');
      await expectConflict(await regenerate);
      expect(await countOf(id)).toBeNull();
    });

    it('#49 two requests that loaded the same session: the first to commit wins, the second gets 409, nothing is lost silently', async () => {
      const id = await newVisit();
      const [first, second] = [increment(id, 'a'), increment(id, 'b')];
      await Promise.all([gates.arrived('a'), gates.arrived('b')]);
      gates.open('b');
      expect((await second).status).toBe(200);
      gates.open('a');
      await expectConflict(await first);
      expect(await countOf(id)).toBe(2);
    });

    it('#49 under every ordering the scheduler picks for three concurrent increments, the count equals 1 + the increments answered 200, and the rest got 409', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), async (s) => {
          const id = await newVisit();
          gates.schedule = (label) => s.schedule(Promise.resolve(label));
          try {
            const send = (gate: string) => s.schedule(Promise.resolve(`send ${gate}`)).then(() => increment(id, gate));
            const responses = await s.waitFor(Promise.all(['a', 'b', 'c'].map(send)));
            const statuses = responses.map((response) => response.status);
            for (const status of statuses) expect([200, 409]).toContain(status);
            for (const response of responses) if (response.status === 409) expect(response.headers.getSetCookie()).toEqual([]);
            expect(await countOf(id)).toBe(1 + statuses.filter((status) => status === 200).length);
          } finally {
            gates.schedule = undefined;
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}
