import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { expect, it } from 'vitest';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { MemoryStorage } from '../../runtime/storage/memory.js';
import { storageContract } from './contract.js';

let now = Date.UTC(2030, 0, 1);

storageContract('MemoryStorage', () => new MemoryStorage({ maxEntries: 10_000, clock: () => now }), {
  advanceClock: (ms) => {
    now += ms;
  },
});

it('#53 heap stays flat while 100,000 sessions are created: maxEntries caps the storage', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const storage = new MemoryStorage({ maxEntries: 10_000 });
  const create = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const written = await storage.write(storageKeyForId('cart', generateSessionId()), `1700000000.1700000000.{"count":${i}}`, 600, {
        ifAbsent: true,
        maxSeconds: 3600,
      });
      expect(written).toBe(true);
    }
  };
  // Fill to the cap first: from then on every creation evicts the least recently used session.
  await create(20_000);
  gc();
  const full = process.memoryUsage().heapUsed;
  await create(80_000);
  gc();
  expect(storage.size).toBe(10_000);
  expect(process.memoryUsage().heapUsed - full).toBeLessThan(4 * 1024 * 1024);
});
