/**
 * Payload versions over real HTTP (docs/schema-evolution.md): an app generated from spec v1 logs a user in,
 * is stopped, and the app generated from v2 (then v3) reads the same cookie or stored entry. By value the
 * migrated payload is re-sealed in the same response; by id (memory here, Redis in
 * test/storage/schema-evolution-redis.test.ts) the entry is rewritten under the current version.
 */
import { generateKey, MemoryStorage, type SessionEvent } from 'typed-sessions';
import type { SpecDefinition } from 'typed-sessions/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeStoredMigration } from './schema-evolution-by-id.js';
import { deploysForSuite, payloadV1, payloadV2, payloadV3 } from './schema-evolution.js';
import { cookiePairs, cookieValue, putJson, startServer, type TestServer } from './server.js';

const deploys = deploysForSuite('schema-evolution-');

/** One key for every deploy, as an app keeps SESSION_KEYS across them. */
const key = generateKey();

const running = new Set<TestServer>();
async function stop(server: TestServer): Promise<void> {
  running.delete(server);
  await server.close();
}
afterEach(() => Promise.all([...running].map(stop)));

/** The app of one deploy; stopped after the test, if the test did not stop it. */
async function deploy(spec: SpecDefinition): Promise<TestServer> {
  const server = await startServer({ spec, install: { keys: { main: key }, clock: Date.now } });
  running.add(server);
  return server;
}

/** What `server` answers for the `user` cookie `token`, and the events and Set-Cookie lines of that request. */
async function readUser(server: TestServer, token: string, path = '/s/user') {
  const before = server.events.length;
  const response = await fetch(`${server.url}${path}`, { headers: { cookie: `user=${token}` } });
  const body = path === '/s/user' ? ((await response.json()) as { value: unknown }).value : await response.text();
  return { status: response.status, body, setCookie: cookiePairs(response), events: server.events.slice(before), response };
}

const migratedEvent = (fromVersion: number, toVersion: number): SessionEvent => ({ type: 'migrated', session: 'user', fromVersion, toVersion });

describe('by value: a cookie written under spec v1, read by the apps of v2 and v3', () => {
  let v1Token: string;
  let v2Token: string;
  beforeAll(async () => {
    const v1 = await deploy(deploys().v1);
    const response = await putJson(`${v1.url}/s/user`, payloadV1('Ada'));
    expect(response.status).toBe(204);
    v1Token = cookieValue(response, 'user');
    await stop(v1);
  });

  it('v2 hands the handler the migrated payload and re-seals it in the same response; that cookie reads under v2 with no migration', async () => {
    const v2 = await deploy(deploys().v2);
    const first = await readUser(v2, v1Token);
    expect(first.status).toBe(200);
    expect(first.body).toEqual(payloadV2('Ada'));
    expect(first.events).toEqual([migratedEvent(1, 2), { type: 'refreshed', session: 'user', reason: 'migrated' }]);
    v2Token = cookieValue(first.response, 'user');
    expect(v2Token).not.toBe(v1Token);

    const second = await readUser(v2, v2Token);
    expect(second).toMatchObject({ status: 200, body: payloadV2('Ada'), events: [], setCookie: [] });
  });

  it('the v1 cookie replayed later still migrates, and once more writes the v2 one', async () => {
    const v2 = await deploy(deploys().v2);
    for (const attempt of [1, 2]) {
      const replay = await readUser(v2, v1Token);
      expect(replay.body, `replay ${attempt}`).toEqual(payloadV2('Ada'));
      expect(replay.events[0]).toEqual(migratedEvent(1, 2));
      expect(replay.setCookie).toHaveLength(1);
    }
  });

  it('v3, which dropped v1 from history, reads the v1 cookie as no session (schema, 200, cookie expired) and migrates the v2 one', async () => {
    const v3 = await deploy(deploys().v3);
    const dropped = await readUser(v3, v1Token);
    expect(dropped.status).toBe(200);
    expect(dropped.body).toBeNull();
    expect(dropped.events).toEqual([{ type: 'rejected', session: 'user', reason: 'schema', source: 'token' }]);
    expect(dropped.setCookie).toEqual(['user=']);
    expect(dropped.response.headers.getSetCookie()[0]).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);

    const kept = await readUser(v3, v2Token);
    expect(kept.body).toEqual(payloadV3('Ada'));
    expect(kept.events[0]).toEqual(migratedEvent(2, 3));
  });

  it('a migration that throws: no session, the cookie expired, one rejected event with migration_failed and one log line, neither holding the payload; status unaffected', async () => {
    const broken = await deploy(deploys().v2Broken);
    const result = await readUser(broken, v1Token);
    expect(result.status).toBe(200);
    expect(result.body).toBeNull();
    const rejected = { session: 'user', reason: 'migration_failed', source: 'token', fromVersion: 1, toVersion: 2, error: 'threw TypeError' };
    expect(result.events).toEqual([{ type: 'rejected', ...rejected }]);
    expect(broken.warnings).toEqual([{ message: 'session rejected', fields: rejected }]);
    expect(JSON.stringify([result.events, broken.warnings])).not.toContain('Ada');
    expect(result.setCookie).toEqual(['user=']);
  });

  it('a v2 token whose ciphertext is edited is tampered: the version under the seal cannot be changed', async () => {
    const v2 = await deploy(deploys().v2);
    const middle = Math.floor(v2Token.length / 2);
    const edited = `${v2Token.slice(0, middle)}${v2Token[middle] === 'A' ? 'B' : 'A'}${v2Token.slice(middle + 1)}`;
    const result = await readUser(v2, edited);
    expect(result.body).toBeNull();
    expect(result.events).toEqual([{ type: 'rejected', session: 'user', reason: 'tampered', source: 'token' }]);
  });

  it('a route that never touches the session migrates nothing and sets no cookie', async () => {
    const v2 = await deploy(deploys().v2);
    const result = await readUser(v2, v1Token, '/plain');
    expect(result).toMatchObject({ status: 200, body: 'plain', events: [], setCookie: [] });
  });
});

describeStoredMigration('memory', () => {
  const storage = new MemoryStorage({ maxEntries: 1000 });
  return { storage, read: (storageKey) => storage.read(storageKey).then((entry) => entry?.value) };
}, deploys, key);
