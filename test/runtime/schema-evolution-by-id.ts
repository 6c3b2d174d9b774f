/**
 * The by-id half of test/runtime/schema-evolution.test.ts, for any storage (memory there, Redis in
 * test/storage/schema-evolution-redis.test.ts): the `account` entry written by spec v1's app, read by v2's,
 * is rewritten under v2 in the same response; concurrent readers in one process or in two migrate it once
 * or race to rewrite it, and none answers 409 or 500; a write racing a migration rewrite lands whichever
 * commits first, while two real writes still conflict (security.md #49).
 */
import fc from 'fast-check';
import type { SessionEvent, Storage } from 'typed-sessions';
import type { SpecDefinition } from 'typed-sessions/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storageKeyForId } from '../../runtime/ids.js';
import { Gates } from './races.js';
import { payloadV1, payloadV2, type Deploys } from './schema-evolution.js';
import { cookieValue, putJson, startServer, type TestRoutes, type TestServer } from './server.js';

export interface SharedStorage {
  /** What every deploy's `mem` is: one storage across restarts and instances. */
  readonly storage: Storage;
  /** The raw stored envelope under `key`, or undefined. */
  read(key: string): Promise<string | undefined>;
}

/**
 * `GET /gated/account` reads the session, waits at the gate its `x-gate` header names, then answers `{ value }`;
 * with `x-rename` it also sets a new displayName: a write racing a migration.
 */
function gatedRoutes(gates: Gates): TestRoutes {
  return async (ctx, next, sessions) => {
    if (ctx.path !== '/gated/account') return next();
    const account = sessions as unknown as { get(name: 'account'): { displayName: string; roles: string[] } | undefined; set(name: 'account', value: object): void };
    const value = account.get('account');
    await gates.wait(ctx.get('x-gate') || undefined);
    const rename = ctx.get('x-rename');
    if (rename !== '' && value !== undefined) account.set('account', { ...value, displayName: rename });
    ctx.body = { value: value ?? null };
  };
}

const migrated: SessionEvent = { type: 'migrated', session: 'account', fromVersion: 1, toVersion: 2 };

/**
 * @example
 * describeStoredMigration('memory', () => ({ storage, read }), () => deploys, key);
 */
export function describeStoredMigration(name: string, shared: () => SharedStorage, deploys: () => Deploys, key: string): void {
  describe(`by id in ${name}: an entry written under spec v1, read by the app of v2`, () => {
    const gates = new Gates();
    let storage: SharedStorage;
    const running = new Set<TestServer>();
    async function stop(server: TestServer): Promise<void> {
      running.delete(server);
      await server.close();
    }
    beforeEach(() => {
      storage = shared();
    });
    afterEach(() => Promise.all([...running].map(stop)));

    /** The app of one deploy on the shared storage; stopped after the test, if the test did not stop it. */
    async function deploy(spec: SpecDefinition): Promise<TestServer> {
      const server = await startServer({ spec, routes: gatedRoutes(gates), outer: gates.counter, install: { keys: { main: key }, storages: { mem: storage.storage }, clock: Date.now } });
      running.add(server);
      return server;
    }

    /** A v1 entry for `displayName`, written by the v1 app, which is then stopped; its id. */
    async function loginUnderV1(displayName: string): Promise<string> {
      const v1 = await deploy(deploys().v1);
      const response = await putJson(`${v1.url}/s/account`, payloadV1(displayName));
      expect(response.status).toBe(204);
      await stop(v1);
      return cookieValue(response, 'account');
    }

    const read = (server: TestServer, id: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/gated/account`, { headers: { cookie: `account=${id}`, ...headers } });
    const valueOf = async (response: Response) => {
      expect(response.status).toBe(200);
      return ((await response.json()) as { value: unknown }).value;
    };
    const migrations = (server: TestServer) => server.events.filter((event) => event.type === 'migrated');
    const stored = (id: string) => storage.read(storageKeyForId('account', id));

    it('the handler sees the migrated payload, the entry is rewritten under v2 in that response, and the next request migrates nothing', async () => {
      const id = await loginUnderV1('Ada');
      expect(await stored(id)).toMatch(/^\d+\.\d+\.\{"name":"Ada"\}$/);
      const v2 = await deploy(deploys().v2);
      expect(await valueOf(await read(v2, id))).toEqual(payloadV2('Ada'));
      expect(migrations(v2)).toEqual([migrated]);
      expect(await stored(id)).toMatch(/^v2\.\d+\.\d+\.\{"displayName":"Ada","roles":\["member"\]\}$/);
      expect(await valueOf(await read(v2, id))).toEqual(payloadV2('Ada'));
      expect(migrations(v2)).toEqual([migrated]);
    });

    it('a migration that throws: no session, the entry deleted, one rejected event from the storage', async () => {
      const id = await loginUnderV1('Ada');
      const broken = await deploy(deploys().v2Broken);
      expect(await valueOf(await read(broken, id))).toBeNull();
      expect(broken.events).toEqual([{ type: 'rejected', session: 'account', reason: 'migration_failed', source: 'storage', fromVersion: 1, toVersion: 2, error: 'threw TypeError' }]);
      expect(await stored(id)).toBeUndefined();
    });

    it('two concurrent requests in one process take turns: the first migrates and rewrites, the second reads v2', async () => {
      const id = await loginUnderV1('Ada');
      const v2 = await deploy(deploys().v2);
      const first = read(v2, id, { 'x-gate': 'first' });
      await gates.arrived('first');
      const second = read(v2, id);
      gates.open('first');
      expect(await Promise.all([valueOf(await first), valueOf(await second)])).toEqual([payloadV2('Ada'), payloadV2('Ada')]);
      expect(migrations(v2)).toEqual([migrated]);
      expect(await stored(id)).toMatch(/^v2\./);
    });

    it('two app instances that both read the v1 entry: both answer 200 with the migrated payload, one rewrite wins, the other is silent', async () => {
      const id = await loginUnderV1('Ada');
      const [one, other] = [await deploy(deploys().v2), await deploy(deploys().v2)];
      const [a, b] = [read(one, id, { 'x-gate': 'a' }), read(other, id, { 'x-gate': 'b' })];
      await Promise.all([gates.arrived('a'), gates.arrived('b')]);
      gates.open('a');
      expect(await valueOf(await a)).toEqual(payloadV2('Ada'));
      gates.open('b');
      expect(await valueOf(await b)).toEqual(payloadV2('Ada'));
      // Both read v1, so both migrated; the loser's rewrite is no conflict.
      expect([...migrations(one), ...migrations(other)]).toEqual([migrated, migrated]);
      expect([...one.events, ...other.events].filter((event) => event.type === 'conflict')).toEqual([]);
      expect(await stored(id)).toMatch(/^v2\.\d+\.\d+\.\{"displayName":"Ada","roles":\["member"\]\}$/);
    });

    it.each([
      { order: ['writer', 'reader'], name: 'the write commits first: the late migration rewrite is silent' },
      { order: ['reader', 'writer'], name: 'the migration rewrite commits first: the write lands over it, no 409' },
    ])('a write on one instance while another migrates the same entry, $name', async ({ order }) => {
      const id = await loginUnderV1('Ada');
      const [one, other] = [await deploy(deploys().v2), await deploy(deploys().v2)];
      const responses = new Map([
        ['writer', read(one, id, { 'x-gate': 'writer', 'x-rename': 'Ada L.' })],
        ['reader', read(other, id, { 'x-gate': 'reader' })],
      ]);
      await Promise.all([gates.arrived('writer'), gates.arrived('reader')]);
      for (const gate of order) {
        gates.open(gate);
        expect(await valueOf(await responses.get(gate)!)).toEqual(payloadV2('Ada'));
      }
      expect(await stored(id)).toMatch(/^v2\.\d+\.\d+\.\{"displayName":"Ada L\.","roles":\["member"\]\}$/);
      expect(await valueOf(await read(one, id))).toEqual({ ...payloadV2('Ada'), displayName: 'Ada L.' });
      expect([...one.events, ...other.events].filter((event) => event.type === 'conflict')).toEqual([]);
    });

    it('under every ordering the scheduler picks for two readers and a writer over two instances, all answer 200 and the write stands under v2', async () => {
      const [one, other] = [await deploy(deploys().v2), await deploy(deploys().v2)];
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), async (s) => {
          const id = await loginUnderV1('Ada');
          // A gate opens only once all three are in: the two on different instances have then both read v1.
          const all = gates.arrivals + 3;
          gates.schedule = (label) => gates.reached(all).then(() => s.schedule(Promise.resolve(label)));
          try {
            const send = (gate: string, server: TestServer, headers: Record<string, string> = {}) =>
              s.schedule(Promise.resolve(`send ${gate}`)).then(() => read(server, id, { 'x-gate': gate, ...headers }));
            const responses = await s.waitFor(Promise.all([send('a', one), send('b', other), send('w', one, { 'x-rename': 'Ada L.' })]));
            expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
            expect(await stored(id)).toMatch(/^v2\.\d+\.\d+\.\{"displayName":"Ada L\.","roles":\["member"\]\}$/);
          } finally {
            gates.schedule = undefined;
          }
        }),
        { numRuns: 25 },
      );
    });

    it('#49 two instances that both migrated on read and both write: the first write stands, the second is a 409, as for any change', async () => {
      const id = await loginUnderV1('Ada');
      const [one, other] = [await deploy(deploys().v2), await deploy(deploys().v2)];
      const [first, second] = [read(one, id, { 'x-gate': 'first', 'x-rename': 'Ada L.' }), read(other, id, { 'x-gate': 'second', 'x-rename': 'Ada K.' })];
      await Promise.all([gates.arrived('first'), gates.arrived('second')]);
      gates.open('first');
      expect((await first).status).toBe(200);
      gates.open('second');
      expect((await second).status).toBe(409);
      expect(await valueOf(await read(one, id))).toEqual({ ...payloadV2('Ada'), displayName: 'Ada L.' });
    });
  });
}
