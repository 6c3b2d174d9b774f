/** Concurrent requests on one session by id in memory storage, through real HTTP (security.md #44, #49, #50). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { describeRaces, describeTurns } from './races.js';
import { cookieValue, putJson, startServer, type TestServer } from './server.js';

vi.mock('../../runtime/ids.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../runtime/ids.js')>();
  return { ...actual, generateSessionId: vi.fn(actual.generateSessionId) };
});

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function start(): Promise<TestServer> {
  const server = await startServer();
  servers.push(server);
  return server;
}

describeTurns('memory', startServer);

describeRaces(
  'memory',
  async (options) => {
    const one = await startServer(options);
    return [one, await startServer({ ...options, install: { storages: { mem: one.storage } } })];
  },
  (server, key) => server.storage.inner.read(key),
);

describe('#44 id collision, with the id generator stubbed to repeat', () => {
  it('a new session never overwrites the one holding a repeated id: creation finds it taken and mints another', async () => {
    const server = await start();
    const taken = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    vi.mocked(generateSessionId).mockReturnValueOnce(taken);
    const second = cookieValue(await putJson(`${server.url}/s/visit`, { count: 2 }), 'vid');
    expect(second).not.toBe(taken);
    expect((await server.storage.inner.read(storageKeyForId('visit', taken)))?.value).toMatch(/\{"count":1\}$/);
    expect((await server.storage.inner.read(storageKeyForId('visit', second)))?.value).toMatch(/\{"count":2\}$/);
  });

  it('a generator that only repeats gets a 503 and overwrites nothing', async () => {
    const server = await start();
    const taken = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    vi.mocked(generateSessionId).mockReturnValue(taken);
    try {
      const response = await putJson(`${server.url}/s/visit`, { count: 2 });
      expect(response.status).toBe(503);
      expect(response.headers.getSetCookie()).toEqual([]);
    } finally {
      vi.mocked(generateSessionId).mockReset();
    }
    expect((await server.storage.inner.read(storageKeyForId('visit', taken)))?.value).toMatch(/\{"count":1\}$/);
  });
});
