/**
 * security.md #55: two sessions tracked by id on one storage never read each other's entries. An id issued
 * for a half-authenticated session (`pending`, before a second factor) presented as the authenticated one
 * (`user`) opens nothing, on every storage: memory, directory and a real Redis server. Ktor-format sessions
 * file entries under the raw id, so two of them on one store are refused, by `validate` and at startup alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionConfigError, generateKey } from 'typed-sessions';
import { createSessionsMiddleware } from 'typed-sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpecText } from '../../generator/spec.js';
import { DirectoryStorage } from '../../runtime/storage/directory.js';
import { MemoryStorage } from '../../runtime/storage/memory.js';
import { RedisStorage } from '../../runtime/storage/redis.js';
import type { Storage } from '../../runtime/storage/storage.js';
import { HOUR, specOf } from '../runtime/fixtures.js';
import { KTOR_KEYS, ktorSpec, provider } from '../runtime/ktor/ktor-fixtures.js';
import { cookieValue, putJson, startServer, type TestServer } from '../runtime/server.js';
import type { DefinitionData } from '../support/compiled-validator.js';
import { describeRedis, startRedisServer, type RedisServer } from '../support/redis-server.js';

/** Two by-id sessions with the same payload schema on the storage `shared`: only the name tells them apart. */
function byIdSession(name: string, cookie: string): DefinitionData {
  return {
    name,
    transport: { kind: 'cookie', name: cookie, cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false } },
    storage: 'shared',
    transforms: [],
    expiry: { maxAge: HOUR, rolling: false },
    schema: { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'], additionalProperties: false },
  };
}

const sharedSpec = specOf([byIdSession('pending', 'mfa'), byIdSession('user', 'uid')], { shared: { kind: 'memory', maxEntries: 100 } });

function crossSessionReplay(label: string, makeStorage: () => Promise<Storage>): void {
  describe(`#55 on ${label}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      // Not a timeout test: a directory write (lock file, fsync, rename) on a loaded CI machine may pass the test server's 200 ms.
      server = await startServer({ spec: sharedSpec, install: { storages: { shared: await makeStorage() }, clock: Date.now, storageTimeout: 5000 } });
    });
    afterAll(() => server?.close());

    const read = (name: string, cookie: string) => fetch(`${server.url}/s/${name}`, { headers: { cookie } });

    it.each([
      ['pending', 'mfa', 'user', 'uid'],
      ['user', 'uid', 'pending', 'mfa'],
    ])('#55 an id issued for %s (cookie %s), presented as %s, is no session, and opens its own session still', async (issuer, issuerCookie, victim, victimCookie) => {
      const id = cookieValue(await putJson(`${server.url}/s/${issuer}`, { userId: 'alice' }), issuerCookie);

      const replayed = await read(victim, `${victimCookie}=${id}`);
      expect(replayed.status).toBe(200);
      expect(await replayed.json()).toEqual({ value: null });
      expect(replayed.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^${victimCookie}=; .*Max-Age=0`))]);
      expect(server.events.at(-1)).toMatchObject({ type: 'rejected', session: victim, reason: 'unknown_id' });

      // The refusal deleted nothing: the id still opens the session it was issued for.
      expect(await (await read(issuer, `${issuerCookie}=${id}`)).json()).toEqual({ value: { userId: 'alice' } });
    });
  });
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'typed-sessions-cross-session-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

crossSessionReplay('memory storage', async () => new MemoryStorage({ maxEntries: 100 }));
crossSessionReplay('directory storage', async () => new DirectoryStorage({ path: join(folder, 'sessions'), maxEntries: 100 }));

describeRedis('#55 on a real Redis server', () => {
  let redis: RedisServer;
  let storage: RedisStorage | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await storage?.close();
    await redis?.stop();
  });
  crossSessionReplay('Redis storage', async () => {
    storage = new RedisStorage(redis.url, { prefix: 'sess:' });
    await storage.ready();
    return storage;
  });
});

describe("#55 Ktor-format sessions by id, whose raw ids cannot be bound to a name", () => {
  const ktorById = (name: string, storage: string) => `  ${name}:
    storage: ${storage}
    serializer: ktor-json
    transform: [{ ktor-sign: kmac }]
    schema: { type: object, properties: { userId: { type: string } }, required: [userId], additionalProperties: false }
`;
  const nativeById = (name: string, storage: string) => `  ${name}:
    storage: ${storage}
    schema: { type: object, properties: { userId: { type: string } }, required: [userId], additionalProperties: false }
`;
  const specText = (storages: string, sessions: string) => `version: 1
keys:
  kmac: { env: KTOR_MAC, encoding: hex }
storages:
${storages}sessions:
${sessions}`;
  const errorsOf = (text: string) => {
    const result = loadSpecText(text, 'sessions.yaml');
    return result.ok ? [] : result.errors.map((error) => `${error.line}:${error.col}: ${error.message}`);
  };

  it('#55 validate refuses two on one store, at the second one\'s storage, saying why and how to fix it', () => {
    expect(errorsOf(specText('  mem: { kind: memory }\n', ktorById('pending', 'mem') + ktorById('user', 'mem')))).toEqual([
      '13:14: sessions.user.storage: session "user" and session "pending" are both in Ktor\'s format and tracked by id on the same store, ' +
        "which files entries under the raw id, so each would accept the other's ids (docs/security.md #55); give one of them a storage of its own",
    ]);
  });

  it('#55 validate refuses two Redis storages that are one store (same URL variable and prefix), and the same directory', () => {
    const redis = '  a: { kind: redis, url: { env: REDIS_URL } }\n  b: { kind: redis, url: { env: REDIS_URL }, prefix: "sess:" }\n';
    expect(errorsOf(specText(redis, ktorById('pending', 'a') + ktorById('user', 'b')))).toEqual([expect.stringMatching(/^14:14: sessions.user.storage: session "user" and session "pending"/)]);
    const folders = '  a: { kind: directory, path: .sessions }\n  b: { kind: directory, path: .sessions }\n';
    expect(errorsOf(specText(folders, ktorById('pending', 'a') + ktorById('user', 'b')))).toHaveLength(1);
  });

  it('#55 validate accepts a Ktor session beside native ones on one store, and Ktor sessions on stores of their own', () => {
    expect(errorsOf(specText('  mem: { kind: memory }\n', ktorById('ktor_user', 'mem') + nativeById('user', 'mem') + nativeById('cart', 'mem')))).toEqual([]);
    const redis = '  a: { kind: redis, url: { env: REDIS_URL } }\n  b: { kind: redis, url: { env: REDIS_URL }, prefix: "other:" }\n';
    expect(errorsOf(specText(redis, ktorById('pending', 'a') + ktorById('user', 'b')))).toEqual([]);
    expect(errorsOf(specText('  a: { kind: memory }\n  b: { kind: memory }\n', ktorById('pending', 'a') + ktorById('user', 'b')))).toEqual([]);
  });

  const kid = ktorSpec.providers.find((Provider) => Provider.definition.name === 'kid')!.definition;
  const withSecondKtorSession = (storage: string) => ({
    ...ktorSpec,
    storages: { ...ktorSpec.storages, other: { kind: 'memory' as const, maxEntries: 10 } },
    providers: [...ktorSpec.providers, provider({ ...kid, name: 'kid_two', transport: { ...kid.transport, name: 'KID2' }, storage })],
  });
  const install = (spec: typeof ktorSpec, storages = {}) =>
    createSessionsMiddleware(spec, { keys: { main: generateKey(), ...KTOR_KEYS }, storages, env: {}, logger: { warn() {} } });

  it('#55 installSessions() refuses the same spec, and one storage instance passed under two names', () => {
    expect(() => install(withSecondKtorSession('mem'))).toThrow(SessionConfigError);
    expect(() => install(withSecondKtorSession('mem'))).toThrow(/session "kid_two" and session "kid" are both in Ktor's format and tracked by id on the same store/);
    expect(() => install(withSecondKtorSession('other'))).not.toThrow();
    const shared = new MemoryStorage({ maxEntries: 10 });
    expect(() => install(withSecondKtorSession('other'), { mem: shared, other: shared })).toThrow(/same store/);
  });
});
