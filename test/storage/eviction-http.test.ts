/**
 * security.md #64 through HTTP: a bounded storage built from the spec (memory, and directory, which
 * evicts in the same order), flooded with one-shot by-id creations, keeps the sessions that are in use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageDefinition } from 'typed-sessions/core';
import { spec } from '../runtime/fixtures.js';
import { createVisit, readVisit, startServer, type TestServer } from '../runtime/server.js';

const MAX_ENTRIES = 20;
const FLOOD = 10 * MAX_ENTRIES;
/** Creations in flight at once: enough to be a flood, few enough for the shared 2-core machine. */
const CONCURRENCY = 20;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'typed-sessions-eviction-http-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe.each<[string, () => StorageDefinition]>([
  ['memory', () => ({ kind: 'memory', maxEntries: MAX_ENTRIES })],
  ['directory', () => ({ kind: 'directory', path: join(root, 'sessions'), maxEntries: MAX_ENTRIES })],
])('#64 a flood against the %s storage', (_kind, storage) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      spec: { ...spec, storages: { mem: storage() } },
      // No storage instance: the middleware builds the spec's, and wires its evictions to onEvent. The
      // test server's 200 ms storage timeout could fire for files on a loaded machine: not what is tested.
      install: { storages: {}, storageTimeout: 10_000 },
    });
  });
  afterAll(() => server.close());

  it('#64 a session read again since written survives a flood of 10x maxEntries one-shot creations; each eviction is one evicted event, without the id', async () => {
    const user = await createVisit(server.url);
    expect(await readVisit(server.url, user)).toEqual({ value: { count: 1 } });
    const flood: string[] = [];
    for (let batch = 0; batch < FLOOD / CONCURRENCY; batch++) {
      flood.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, () => createVisit(server.url)))));
    }

    expect(await readVisit(server.url, user)).toEqual({ value: { count: 1 } });
    // The bound still holds: the flood churned through its own sessions.
    expect(await readVisit(server.url, flood[0]!)).toEqual({ value: null });
    expect(server.events.filter((event) => event.type === 'evicted')).toEqual(
      Array.from({ length: 1 + FLOOD - MAX_ENTRIES }, () => ({ type: 'evicted', storage: 'mem' })),
    );
  });
});
