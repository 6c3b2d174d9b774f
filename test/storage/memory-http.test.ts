/**
 * security.md #64 through HTTP: a bounded memory storage built from the spec, flooded with one-shot
 * by-id creations, keeps the sessions that are in use.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spec } from '../runtime/fixtures.js';
import { cookieValue, putJson, startServer, type TestServer } from '../runtime/server.js';

const MAX_ENTRIES = 40;
const FLOOD = 10 * MAX_ENTRIES;
/** Creations in flight at once: enough to be a flood, few enough for the shared 2-core machine. */
const CONCURRENCY = 20;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    spec: { ...spec, storages: { mem: { kind: 'memory', maxEntries: MAX_ENTRIES } } },
    // No storage instance: the middleware builds the spec's, and wires its evictions to onEvent.
    install: { storages: {} },
  });
});
afterAll(() => server.close());

async function createVisit(): Promise<string> {
  const response = await putJson(`${server.url}/s/visit`, { count: 1 });
  expect(response.status).toBe(204);
  return cookieValue(response, 'vid');
}

async function readVisit(id: string): Promise<unknown> {
  return (await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } })).json();
}

it('#64 a session read again since written survives a flood of 10x maxEntries one-shot creations; each eviction is one evicted event, without the id', async () => {
  const user = await createVisit();
  expect(await readVisit(user)).toEqual({ value: { count: 1 } });
  const flood: string[] = [];
  for (let batch = 0; batch < FLOOD / CONCURRENCY; batch++) {
    flood.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, createVisit))));
  }

  expect(await readVisit(user)).toEqual({ value: { count: 1 } });
  // The bound still holds: the flood churned through its own sessions.
  expect(await readVisit(flood[0]!)).toEqual({ value: null });
  const evictions = server.events.filter((event) => event.type === 'evicted');
  expect(evictions).toHaveLength(1 + FLOOD - MAX_ENTRIES);
  expect(new Set(evictions.map((event) => JSON.stringify(event)))).toEqual(new Set([JSON.stringify({ type: 'evicted', storage: 'mem' })]));
});
