import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage, StorageLocks } from '../../runtime/storage/storage.js';

/**
 * The contract of `StorageLocks` (runtime/storage/storage.ts), which `concurrency: serialize` rests on: one
 * token holds a key's lock at a time, only it renews or releases it, and the lock expires on its own
 * after `holdMs`, so a crashed process never keeps a session. The lock is a key of its own: the entry
 * under the same key is untouched. RedisStorage runs it on one server and on a cluster.
 */

export interface LockContractOptions {
  /** Moves the storage's time forward by `ms` (for Redis, shortened TTLs), so expiry cases do not sleep. */
  readonly advanceClock: (ms: number) => void | Promise<void>;
}

const HOLD_MS = 10_000;
/** Redis's clock keeps running while a test moves it: expiry checks keep a second clear of the edge. */
const MARGIN_MS = 1000;

export function lockContract(name: string, create: () => Promise<Storage & StorageLocks>, options: LockContractOptions): void {
  describe(`${name}: the StorageLocks contract`, () => {
    let storage: Storage & StorageLocks;
    beforeEach(async () => {
      storage = await create();
    });

    it('one token holds a lock at a time: another cannot take it until the holder releases it', async () => {
      expect(await storage.lock('k', 'first', HOLD_MS)).toBe(true);
      expect(await storage.lock('k', 'second', HOLD_MS)).toBe(false);
      expect(await storage.lock('k', 'first', HOLD_MS)).toBe(false);
      await storage.unlock('k', 'first');
      expect(await storage.lock('k', 'second', HOLD_MS)).toBe(true);
    });

    it('only the holder renews or releases it', async () => {
      await storage.lock('k', 'holder', HOLD_MS);
      expect(await storage.renewLock('k', 'other', HOLD_MS)).toBe(false);
      await storage.unlock('k', 'other');
      expect(await storage.lock('k', 'other', HOLD_MS)).toBe(false);
      expect(await storage.renewLock('k', 'holder', HOLD_MS)).toBe(true);
    });

    it('a lock expires on its own after holdMs: the holder can no longer renew it, and another takes it', async () => {
      await storage.lock('k', 'holder', HOLD_MS);
      await options.advanceClock(HOLD_MS + MARGIN_MS);
      expect(await storage.renewLock('k', 'holder', HOLD_MS)).toBe(false);
      expect(await storage.lock('k', 'next', HOLD_MS)).toBe(true);
      // The old holder's late release leaves the new holder's lock alone.
      await storage.unlock('k', 'holder');
      expect(await storage.lock('k', 'third', HOLD_MS)).toBe(false);
    });

    it('a renewal moves the expiry to holdMs from now', async () => {
      await storage.lock('k', 'holder', HOLD_MS);
      await options.advanceClock(HOLD_MS - MARGIN_MS);
      expect(await storage.renewLock('k', 'holder', HOLD_MS)).toBe(true);
      await options.advanceClock(HOLD_MS - MARGIN_MS);
      expect(await storage.renewLock('k', 'holder', HOLD_MS)).toBe(true);
    });

    it('locks on different keys are independent, and a lock leaves the entry under its key as it was', async () => {
      await storage.write('k', 'value', 60);
      const before = await storage.read('k');
      expect(await storage.lock('k', 'a', HOLD_MS)).toBe(true);
      expect(await storage.lock('other', 'b', HOLD_MS)).toBe(true);
      expect(await storage.read('k')).toEqual(before);
      await storage.unlock('k', 'a');
      expect(await storage.read('k')).toEqual(before);
      expect(await storage.lock('other', 'c', HOLD_MS)).toBe(false);
    });

    it.each([['empty', ''], ['Redis hash tag', '{tag}'], ['a closing brace', 'a}b'], ['10 KB', 'k'.repeat(10_000)]])('works for a key that is %s', async (_label, key) => {
      expect(await storage.lock(key, 'a', HOLD_MS)).toBe(true);
      expect(await storage.lock(key, 'b', HOLD_MS)).toBe(false);
      await storage.unlock(key, 'a');
      expect(await storage.lock(key, 'b', HOLD_MS)).toBe(true);
    });
  });
}
