/**
 * MemoryStorage: the storage contract every storage passes (contract.ts), and what only a bounded memory
 * storage does: least-recent-use eviction in segments (security.md #64), expiry against the injected clock,
 * sweeps without timers.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, SessionConfigError } from 'typed-sessions';
import { FakeClock } from '../runtime/server.js';
import { storageContract } from './contract.js';
import { indexContract } from './index-contract.js';

let now = Date.UTC(2030, 0, 1);

storageContract('MemoryStorage', () => new MemoryStorage({ maxEntries: 10_000, clock: () => now }), {
  advanceClock: (ms) => {
    now += ms;
  },
});

indexContract('MemoryStorage', () => new MemoryStorage({ maxEntries: 10_000, clock: () => now }), {
  advanceClock: (ms) => {
    now += ms;
  },
  bounded: (maxEntries) => new MemoryStorage({ maxEntries, clock: () => now }),
});

function storage(maxEntries: number, sweepEvery?: number): { store: MemoryStorage; clock: FakeClock } {
  const clock = new FakeClock();
  return { store: new MemoryStorage({ maxEntries, clock: clock.read, sweepEvery }), clock };
}

describe('MemoryStorage', () => {
  it('reads what was written, and nothing once invalidated (twice is fine)', async () => {
    const { store } = storage(10);
    await store.write('k', 'v', 60);
    expect((await store.read('k'))?.value).toBe('v');
    await store.invalidate('k');
    await store.invalidate('k');
    expect(await store.read('k')).toBeUndefined();
  });

  it('expires entries by TTL on the injected clock', async () => {
    const { store, clock } = storage(10);
    await store.write('k', 'v', 60);
    clock.advance(59);
    expect((await store.read('k'))?.value).toBe('v');
    clock.advance(1);
    expect(await store.read('k')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('a sliding read extends a live entry, and does not bring back a missing or expired one', async () => {
    const { store, clock } = storage(10);
    await store.write('k', 'v', 60);
    clock.advance(50);
    await store.read('k', 60);
    clock.advance(50);
    expect((await store.read('k'))?.value).toBe('v');
    await store.read('gone', 60);
    expect(await store.read('gone')).toBeUndefined();
    clock.advance(60);
    await store.read('k', 60);
    expect(await store.read('k')).toBeUndefined();
  });

  it('holds at most maxEntries, evicting entries not used again since written first', async () => {
    const { store } = storage(3);
    for (const key of ['a', 'b', 'c']) await store.write(key, key, 60);
    await store.read('a');
    await store.write('d', 'd', 60);
    expect(store.size).toBe(3);
    expect(await store.read('b')).toBeUndefined();
    expect((await store.read('a'))?.value).toBe('a');
    await store.read('c', 60);
    await store.write('e', 'e', 60);
    expect(await store.read('d')).toBeUndefined();
    expect((await store.read('c'))?.value).toBe('c');
  });

  it('rewriting a key replaces it without growing', async () => {
    const { store } = storage(2);
    await store.write('a', '1', 60);
    await store.write('a', '2', 60);
    expect(store.size).toBe(1);
    expect((await store.read('a'))?.value).toBe('2');
  });

  it('sweeps expired entries every sweepEvery writes, with no timer', async () => {
    const { store, clock } = storage(1000, 10);
    for (let index = 0; index < 9; index += 1) await store.write(`old${index}`, 'v', 1);
    clock.advance(2);
    expect(store.size).toBe(9);
    await store.write('fresh', 'v', 60);
    expect(store.size).toBe(1);
  });

  // What the heap does meanwhile, bench/promises.ts measures: a heap asserted here would flake.
  it('#53 stays at maxEntries under a flood of new sessions: every creation lands, the oldest are evicted', async () => {
    const { store } = storage(100);
    for (let index = 0; index < 10_000; index += 1) {
      expect(await store.write(`k${index}`, 'v', 60, { ifAbsent: true, maxSeconds: 3600 })).toBe(true);
    }
    expect(store.size).toBe(100);
    expect((await store.read('k9999'))?.value).toBe('v');
    expect(await store.read('k9899')).toBeUndefined();
  });

  it('#64 a flood of new entries churns only the probation segment: entries read again since written stay', async () => {
    const evictions: unknown[] = [];
    const store = new MemoryStorage({ maxEntries: 10, onEvict: () => evictions.push('evicted') });
    for (const key of ['a', 'b', 'c', 'd']) await store.write(key, key, 60);
    await store.read('a');
    await store.read('b', 60);
    for (let index = 0; index < 100; index += 1) await store.write(`flood${index}`, 'v', 60);
    expect(store.size).toBe(10);
    expect((await store.read('a'))?.value).toBe('a');
    expect((await store.read('b'))?.value).toBe('b');
    expect(await store.read('c')).toBeUndefined();
    expect(await store.read('flood89')).toBeUndefined();
    expect((await store.read('flood99'))?.value).toBe('v');
    expect(evictions).toHaveLength(104 - 10);
  });

  it('#64 the protected segment holds at most 80% of maxEntries: past it, its least recently used entry goes back on probation', async () => {
    const { store } = storage(10);
    for (let index = 0; index < 9; index += 1) {
      await store.write(`used${index}`, 'v', 60);
      await store.read(`used${index}`);
    }
    // Promoting used8 demoted used0, so the flood takes it; the eight protected entries stay.
    for (let index = 0; index < 20; index += 1) await store.write(`new${index}`, 'v', 60);
    expect(store.size).toBe(10);
    expect(await store.read('used0')).toBeUndefined();
    for (let index = 1; index < 9; index += 1) expect((await store.read(`used${index}`))?.value).toBe('v');
  });

  it('#64 a demoted entry used again before it is evicted is protected again', async () => {
    const { store } = storage(10);
    for (let index = 0; index < 9; index += 1) {
      await store.write(`used${index}`, 'v', 60);
      await store.read(`used${index}`);
    }
    await store.read('used0');
    for (let index = 0; index < 20; index += 1) await store.write(`new${index}`, 'v', 60);
    expect((await store.read('used0'))?.value).toBe('v');
    expect(await store.read('used1')).toBeUndefined();
  });

  it('#64 updating an entry keeps it where it is: an updated protected entry stays protected', async () => {
    const { store } = storage(5);
    await store.write('cart', '1', 60);
    const { version } = (await store.read('cart'))!;
    expect(await store.write('cart', '2', 60, { ifVersion: version })).toBe(true);
    for (let index = 0; index < 20; index += 1) await store.write(`new${index}`, 'v', 60, { ifAbsent: true });
    expect((await store.read('cart'))?.value).toBe('2');
  });

  it('#64 neither expired entries dropped nor invalidated entries count as evictions', async () => {
    const evictions: unknown[] = [];
    const clock = new FakeClock();
    const store = new MemoryStorage({ maxEntries: 2, clock: clock.read, onEvict: () => evictions.push('evicted') });
    await store.write('a', 'v', 1);
    await store.write('b', 'v', 60);
    await store.invalidate('b');
    clock.advance(2);
    for (const key of ['c', 'd']) await store.write(key, 'v', 60);
    expect(evictions).toEqual([]);
    await store.write('e', 'v', 60);
    expect(evictions).toEqual(['evicted']);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %s', (maxEntries) => {
    expect(() => new MemoryStorage({ maxEntries })).toThrow(SessionConfigError);
  });
});
