/** MemoryStorage: bounded by least-recent use, expiring against the injected clock, swept without timers. */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, SessionConfigError } from 'typed-sessions/runtime';
import { FakeClock } from './server.js';

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

  it('touch extends a live entry, and does not bring back a missing or expired one', async () => {
    const { store, clock } = storage(10);
    await store.write('k', 'v', 60);
    clock.advance(50);
    await store.touch('k', 60);
    clock.advance(50);
    expect((await store.read('k'))?.value).toBe('v');
    await store.touch('gone', 60);
    expect(await store.read('gone')).toBeUndefined();
    clock.advance(60);
    await store.touch('k', 60);
    expect(await store.read('k')).toBeUndefined();
  });

  it('holds at most maxEntries, evicting the least recently used first', async () => {
    const { store } = storage(3);
    for (const key of ['a', 'b', 'c']) await store.write(key, key, 60);
    await store.read('a');
    await store.write('d', 'd', 60);
    expect(store.size).toBe(3);
    expect(await store.read('b')).toBeUndefined();
    expect((await store.read('a'))?.value).toBe('a');
    await store.touch('c', 60);
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

  it('stays bounded under a flood of new sessions', async () => {
    const { store } = storage(100);
    for (let index = 0; index < 10_000; index += 1) await store.write(`k${index}`, 'v', 60);
    expect(store.size).toBe(100);
    expect((await store.read('k9999'))?.value).toBe('v');
    expect(await store.read('k9899')).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %s', (maxEntries) => {
    expect(() => new MemoryStorage({ maxEntries })).toThrow(SessionConfigError);
  });
});
