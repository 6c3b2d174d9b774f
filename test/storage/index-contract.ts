import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage, StorageIndexes } from '../../runtime/storage/storage.js';

/**
 * The contract of `StorageIndexes` (runtime/storage/storage.ts), which issue 14's per-user sessions rest on:
 * an entry and its membership change together (a write files it, a delete unfiles it, a failed condition
 * changes neither), a listing hands out only live entries and drops the rest, and a revocation deletes
 * every member but the ones kept, so that no write racing it brings one back or files it again
 * (security.md #50). Memory, directory and Redis (one server, a cluster, a cluster under a hash-tagged
 * prefix) run these same cases.
 */

type IndexedStorage = Storage & StorageIndexes;

export interface IndexContractOptions {
  /** Moves the storage's time forward by `ms` (for Redis, shortened TTLs), so expiry cases do not sleep. */
  readonly advanceClock: (ms: number) => void | Promise<void>;
  /** The storage bounded to `maxEntries`, for the eviction case; absent for a storage without a bound of its own (Redis). */
  readonly bounded?: (maxEntries: number) => IndexedStorage | Promise<IndexedStorage>;
  /**
   * The storage with every command it sends held until `scheduler` releases it, so the race cases explore
   * how the steps of concurrent calls interleave; without it, the scheduler orders when the calls start.
   */
  readonly scheduled?: (scheduler: fc.Scheduler) => IndexedStorage;
}

const TTL_SECONDS = 10;
const TTL_MS = TTL_SECONDS * 1000;
const MAX_SECONDS = 60;
/** Redis's clock keeps running while a test moves it: every expiry check keeps a second clear of the edge. */
const MARGIN_MS = 1000;
const FILED = { maxSeconds: MAX_SECONDS };

const HOSTILE_NAMES: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['a Redis hash tag', '{user}'],
  ['an empty hash tag', '{}'],
  ['a closing brace first', 'a}b{c}'],
  ['a path out', '../../etc/passwd'],
  ['a NUL byte and a line break', 'a\u0000b\r\nc'],
  ['10 KB', 'u'.repeat(10_000)],
];

/**
 * @example
 * indexContract('memory', () => new MemoryStorage({ maxEntries: 10_000, clock }), { advanceClock: (ms) => { now += ms; } });
 */
export function indexContract(name: string, makeStorage: () => IndexedStorage | Promise<IndexedStorage>, options: IndexContractOptions): void {
  const { advanceClock } = options;
  describe(`${name}: the StorageIndexes contract`, () => {
    let storage: IndexedStorage;
    beforeEach(async () => {
      storage = await makeStorage();
    });

    async function listed(index: string, on: IndexedStorage = storage): Promise<Record<string, string>> {
      return Object.fromEntries((await on.listIndex(index)).map(({ key, value }) => [key, value]));
    }

    async function versionOf(key: string): Promise<string> {
      const entry = await storage.read(key);
      expect(entry, `${key} is there`).toBeDefined();
      return entry!.version;
    }

    describe('an entry and its membership change in one step', () => {
      it('files a written entry under its index, with the version read returns and the TTL it was given', async () => {
        expect(await storage.writeIndexed('s1', 'one', TTL_SECONDS, { join: 'alice' }, { ifAbsent: true, ...FILED })).toBe(true);
        const [entry, ...others] = await storage.listIndex('alice');
        expect(others).toEqual([]);
        expect(entry).toEqual({ key: 's1', value: 'one', version: await versionOf('s1'), ttlSeconds: expect.any(Number) });
        expect(entry!.ttlSeconds).toBeGreaterThan(TTL_SECONDS - MARGIN_MS / 1000);
        expect(entry!.ttlSeconds).toBeLessThanOrEqual(TTL_SECONDS);
      });

      it('lists every member, each as last written; a rewrite in the same index stays filed once', async () => {
        for (const key of ['s1', 's2', 's3']) await storage.writeIndexed(key, `${key} v1`, TTL_SECONDS, { join: 'alice' }, FILED);
        await storage.writeIndexed('s2', 's2 v2', TTL_SECONDS, { join: 'alice', leave: 'alice' }, { ifVersion: await versionOf('s2'), ...FILED });
        expect(await listed('alice')).toEqual({ s1: 's1 v1', s2: 's2 v2', s3: 's3 v1' });
        expect(await storage.listIndex('alice')).toHaveLength(3);
      });

      it('unfiles a deleted entry, and deletes nothing and keeps it filed when the version is stale', async () => {
        await storage.writeIndexed('s1', 'v1', TTL_SECONDS, { join: 'alice' }, FILED);
        const stale = await versionOf('s1');
        await storage.writeIndexed('s1', 'v2', TTL_SECONDS, { join: 'alice' }, { ifVersion: stale, ...FILED });
        expect(await storage.invalidateIndexed('s1', 'alice', stale)).toBe(false);
        expect(await listed('alice')).toEqual({ s1: 'v2' });
        expect(await storage.invalidateIndexed('s1', 'alice', await versionOf('s1'))).toBe(true);
        expect(await storage.read('s1')).toBeUndefined();
        expect(await storage.listIndex('alice')).toEqual([]);
        await storage.writeIndexed('s2', 'v1', TTL_SECONDS, { join: 'alice' }, FILED);
        expect(await storage.invalidateIndexed('s2', 'alice')).toBe(true);
        expect(await storage.listIndex('alice')).toEqual([]);
      });

      it('a write whose condition fails writes nothing and files nothing', async () => {
        await storage.writeIndexed('taken', 'first owner', TTL_SECONDS, { join: 'alice' }, { ifAbsent: true, ...FILED });
        expect(await storage.writeIndexed('taken', 'second owner', TTL_SECONDS, { join: 'bob', leave: 'alice' }, { ifAbsent: true, ...FILED })).toBe(false);
        expect(await storage.writeIndexed('never-written', 'v', TTL_SECONDS, { join: 'bob' }, { ifVersion: 'no such version', ...FILED })).toBe(false);
        expect(await storage.listIndex('bob')).toEqual([]);
        expect(await listed('alice')).toEqual({ taken: 'first owner' });
        expect(await storage.read('never-written')).toBeUndefined();
      });

      it('moves an entry whose indexed value changed: it leaves the old index and joins the new one', async () => {
        await storage.writeIndexed('s1', 'as alice', TTL_SECONDS, { join: 'alice' }, FILED);
        await storage.writeIndexed('s2', 'stays', TTL_SECONDS, { join: 'alice' }, FILED);
        expect(await storage.writeIndexed('s1', 'as bob', TTL_SECONDS, { join: 'bob', leave: 'alice' }, { ifVersion: await versionOf('s1'), ...FILED })).toBe(true);
        expect(await listed('alice')).toEqual({ s2: 'stays' });
        expect(await listed('bob')).toEqual({ s1: 'as bob' });
        expect(await storage.revokeIndex('alice')).toEqual(['s2']);
        expect((await storage.read('s1'))?.value).toBe('as bob');
      });

      it('keeps a member filed through a plain write of its entry', async () => {
        await storage.writeIndexed('s1', 'v1', TTL_SECONDS, { join: 'alice' }, FILED);
        await storage.write('s1', 'v2', TTL_SECONDS, { ifVersion: await versionOf('s1'), maxSeconds: MAX_SECONDS });
        expect(await listed('alice')).toEqual({ s1: 'v2' });
      });

      it('refuses ifAbsent and ifVersion together, writing and filing nothing', async () => {
        await expect(storage.writeIndexed('s1', 'v', TTL_SECONDS, { join: 'alice' }, { ifAbsent: true, ifVersion: 'v', ...FILED })).rejects.toThrow(RangeError);
        expect(await storage.read('s1')).toBeUndefined();
        expect(await storage.listIndex('alice')).toEqual([]);
      });
    });

    describe('a listing hands out only live entries, and drops the rest', () => {
      it('lists nothing for an index never written', async () => {
        expect(await storage.listIndex('nobody')).toEqual([]);
      });

      it('drops a member whose entry expired, was deleted behind its back, or ran past its deadline', async () => {
        await storage.writeIndexed('short', 'v', TTL_SECONDS, { join: 'alice' }, FILED);
        await storage.writeIndexed('deadline', 'v', 30, { join: 'alice' }, { maxSeconds: 5 });
        await storage.writeIndexed('deleted', 'v', 30, { join: 'alice' }, FILED);
        await storage.writeIndexed('live', 'v', 30, { join: 'alice' }, FILED);
        await storage.invalidate('deleted');
        await advanceClock(TTL_MS + MARGIN_MS);
        expect(await listed('alice')).toEqual({ live: 'v' });
        // Dropped, not only skipped: the keys written again without the index are not listed.
        for (const key of ['short', 'deadline', 'deleted']) await storage.write(key, 'unfiled', 30);
        expect(await listed('alice')).toEqual({ live: 'v' });
      });

      it('an index outlives its members as far as their deadlines: sliding reads keep a member listed past its first TTL', async () => {
        await storage.writeIndexed('early', 'v', TTL_SECONDS, { join: 'alice' }, { maxSeconds: TTL_SECONDS });
        await storage.writeIndexed('slid', 'v', TTL_SECONDS, { join: 'alice' }, { maxSeconds: 3 * TTL_SECONDS });
        for (let slide = 0; slide < 2; slide++) {
          await advanceClock(TTL_MS - 2 * MARGIN_MS);
          await storage.read('slid', TTL_SECONDS);
        }
        expect(await listed('alice')).toEqual({ slid: 'v' });
      });

      // Only a bounded storage evicts; on the others the case does not exist, so it is not listed at all.
      if (options.bounded !== undefined) it('drops a member whose entry was evicted to stay within maxEntries', async () => {
        const bounded = await options.bounded!(10);
        await bounded.writeIndexed('evicted first', 'v', TTL_SECONDS, { join: 'alice' }, FILED);
        for (let i = 0; i < 20; i++) await bounded.write(`flood ${i}`, 'v', TTL_SECONDS);
        expect(await bounded.read('evicted first')).toBeUndefined();
        expect(await bounded.listIndex('alice')).toEqual([]);
      });
    });

    describe('a revocation deletes every member but the ones kept', () => {
      it('deletes the others, returns their keys, and keeps the kept ones listed', async () => {
        for (const key of ['s1', 's2', 's3']) await storage.writeIndexed(key, key, TTL_SECONDS, { join: 'alice' }, FILED);
        expect((await storage.revokeIndex('alice', ['s2'])).sort()).toEqual(['s1', 's3']);
        expect(await listed('alice')).toEqual({ s2: 's2' });
        expect([await storage.read('s1'), await storage.read('s3')]).toEqual([undefined, undefined]);
        expect(await storage.revokeIndex('alice')).toEqual(['s2']);
        expect(await storage.listIndex('alice')).toEqual([]);
      });

      it('returns only members that were live: nothing for an empty index, nor for a member already gone', async () => {
        expect(await storage.revokeIndex('nobody')).toEqual([]);
        await storage.writeIndexed('gone', 'v', TTL_SECONDS, { join: 'alice' }, FILED);
        await storage.invalidate('gone');
        expect(await storage.revokeIndex('alice')).toEqual([]);
      });

      it('#50 a write from a read before the revocation neither brings a revoked entry back nor files it again', async () => {
        await storage.writeIndexed('s1', 'v1', TTL_SECONDS, { join: 'alice' }, FILED);
        const read = await versionOf('s1');
        await storage.revokeIndex('alice');
        expect(await storage.writeIndexed('s1', 'refreshed', TTL_SECONDS, { join: 'alice' }, { ifVersion: read, ...FILED })).toBe(false);
        expect(await storage.write('s1', 'refreshed', TTL_SECONDS, { ifVersion: read })).toBe(false);
        expect(await storage.read('s1')).toBeUndefined();
        expect(await storage.listIndex('alice')).toEqual([]);
      });

      it('leaves other indexes alone, and a new member after it is filed as usual', async () => {
        await storage.writeIndexed('a1', 'v', TTL_SECONDS, { join: 'alice' }, FILED);
        await storage.writeIndexed('b1', 'v', TTL_SECONDS, { join: 'bob' }, FILED);
        await storage.revokeIndex('alice');
        expect(await listed('bob')).toEqual({ b1: 'v' });
        await storage.writeIndexed('a2', 'new', TTL_SECONDS, { join: 'alice' }, { ifAbsent: true, ...FILED });
        expect(await listed('alice')).toEqual({ a2: 'new' });
      });
    });

    describe('any string is an index name or a member key', () => {
      it.each(HOSTILE_NAMES)('keeps an index named by %s apart from the others, with members of hostile keys', async (_label, index) => {
        const keys = HOSTILE_NAMES.map(([, key]) => `${key}#member`);
        for (const key of keys) await storage.writeIndexed(key, `value of ${key.length}`, TTL_SECONDS, { join: index }, FILED);
        await storage.writeIndexed('other', 'v', TTL_SECONDS, { join: `${index}x` }, FILED);
        expect(Object.keys(await listed(index)).sort()).toEqual([...keys].sort());
        expect((await storage.revokeIndex(index, [keys[0]!])).sort()).toEqual(keys.slice(1).sort());
        expect(Object.keys(await listed(index))).toEqual([keys[0]]);
        expect(await listed(`${index}x`)).toEqual({ other: 'v' });
      });
    });

    describe('races (fast-check scheduler)', () => {
      it('#50 a revocation racing the creation of a new member and a refresh of an old one: afterwards no live entry is outside its index, and no revoked entry lives', async () => {
        let round = 0;
        await fc.assert(
          fc.asyncProperty(fc.scheduler(), async (s) => {
            // Fresh names each run, so no tombstone or fence of an earlier run is in the way.
            const [index, old, created] = [`user ${++round}`, `old ${round}`, `new ${round}`];
            await storage.writeIndexed(old, 'v1', TTL_SECONDS, { join: index }, FILED);
            const read = await versionOf(old);
            const racing = options.scheduled?.(s) ?? storage;
            const step = <T>(label: string, run: () => Promise<T>) => (options.scheduled === undefined ? s.schedule(Promise.resolve(label)).then(run) : run());
            const [revoked, , createdOk] = await s.waitFor(
              Promise.all([
                step('revoke', () => racing.revokeIndex(index)),
                step('refresh', () => racing.writeIndexed(old, 'v2', TTL_SECONDS, { join: index, leave: index }, { ifVersion: read, ...FILED })),
                step('create', () => racing.writeIndexed(created, 'v1', TTL_SECONDS, { join: index }, { ifAbsent: true, ...FILED })),
              ]),
            );
            const members = await listed(index);
            // The old session was filed before the revocation began, so it is gone whichever way the refresh went.
            expect(revoked).toContain(old);
            expect(await storage.read(old)).toBeUndefined();
            const live = await storage.read(created);
            if (live !== undefined) expect(members[created]).toBe('v1');
            if (revoked.includes(created)) expect(live).toBeUndefined();
            if (createdOk && !revoked.includes(created)) expect(live?.value).toBe('v1');
            expect(Object.keys(members).every((key) => key === created)).toBe(true);
          }),
          { numRuns: 40 },
        );
      });

      it('a listing racing writes that file new members and move one away never leaves a live entry outside its index', async () => {
        let round = 0;
        await fc.assert(
          fc.asyncProperty(fc.scheduler(), async (s) => {
            const [index, other, moved, created] = [`lister ${++round}`, `elsewhere ${round}`, `moved ${round}`, `created ${round}`];
            await storage.writeIndexed(moved, 'here', TTL_SECONDS, { join: index }, FILED);
            const read = await versionOf(moved);
            const racing = options.scheduled?.(s) ?? storage;
            const step = <T>(label: string, run: () => Promise<T>) => (options.scheduled === undefined ? s.schedule(Promise.resolve(label)).then(run) : run());
            await s.waitFor(
              Promise.all([
                step('list', () => racing.listIndex(index)),
                step('list again', () => racing.listIndex(other)),
                step('move', () => racing.writeIndexed(moved, 'there', TTL_SECONDS, { join: other, leave: index }, { ifVersion: read, ...FILED })),
                step('move back', () => racing.writeIndexed(moved, 'back', TTL_SECONDS, { join: index, leave: other }, { ifVersion: read, ...FILED })),
                step('create', () => racing.writeIndexed(created, 'v', TTL_SECONDS, { join: index }, { ifAbsent: true, ...FILED })),
              ]),
            );
            const [here, there] = [await listed(index), await listed(other)];
            const movedNow = (await storage.read(moved))?.value;
            expect(movedNow === 'there' ? there[moved] : here[moved]).toBe(movedNow);
            expect(movedNow === 'there' ? here[moved] : there[moved]).toBeUndefined();
            if ((await storage.read(created)) !== undefined) expect(here[created]).toBe('v');
          }),
          { numRuns: 40 },
        );
      });
    });
  });
}
