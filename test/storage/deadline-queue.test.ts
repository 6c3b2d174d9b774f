/**
 * One timer for the deadlines of many storage calls (runtime/storage/deadline-queue.ts): whatever the order in
 * which calls start and settle, a call that does not settle expires exactly at its own deadline, once, and one
 * that settles in time never does; with nothing in flight its timer holds no process and lapses.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../../runtime/storage/deadline-queue.js';
import { MemoryStorage } from '../../runtime/storage/memory.js';
import type { Storage } from '../../runtime/storage/storage.js';
import { TimedStorage } from '../../runtime/storage/timed-storage.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineQueue', () => {
  it('a call that settles in time never expires, and leaves no timer behind', () => {
    const queue = new DeadlineQueue(1000);
    const expired = vi.fn();
    const call = queue.start(expired);
    vi.advanceTimersByTime(999);
    expect(call.settle()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(expired).not.toHaveBeenCalled();
  });

  it('with nothing in flight the one timer holds no process, and the next call takes it up again instead of setting its own', () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const queue = new DeadlineQueue(1000);
    const expired: number[] = [];
    queue.start(() => expired.push(Date.now())).settle();
    const timer = setTimer.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    vi.advanceTimersByTime(400);
    const hung = queue.start(() => expired.push(Date.now()));
    expect(timer.hasRef()).toBe(true);
    expect(setTimer).toHaveBeenCalledTimes(1);
    // The timer lapses at 1000, finds the hung call not due, and is set again for its deadline.
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([1400]);
    expect(hung.settle()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    setTimer.mockRestore();
  });

  it('a hung call behind settled ones and ahead of later ones expires at its own deadline; settling it afterwards says it was late', () => {
    const queue = new DeadlineQueue(1000);
    const times: [string, number][] = [];
    const first = queue.start(() => times.push(['first', Date.now()]));
    vi.advanceTimersByTime(100);
    const hung = queue.start(() => times.push(['hung', Date.now()]));
    vi.advanceTimersByTime(100);
    const later = queue.start(() => times.push(['later', Date.now()]));
    first.settle();
    vi.advanceTimersByTime(950);
    expect(times).toEqual([['hung', 1100]]);
    expect(hung.settle()).toBe(false);
    later.settle();
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
    expect(queue.size).toBe(0);
  });

  it('a call started by an expiry does not delay the deadline of an older one', () => {
    const queue = new DeadlineQueue(1000);
    const times: number[] = [];
    queue.start(() => {
      times.push(Date.now());
      queue.start(() => times.push(Date.now()));
    });
    vi.advanceTimersByTime(10);
    queue.start(() => times.push(Date.now()));
    vi.advanceTimersByTime(3000);
    expect(times).toEqual([1000, 1010, 2000]);
  });

  it('an expiry that starts a call which settles at once (a listener calling a storage) leaves every other deadline in place', () => {
    const queue = new DeadlineQueue(1000);
    const expired: string[] = [];
    queue.start(() => {
      expired.push('a');
      queue.start(() => expired.push('inner')).settle();
    });
    queue.start(() => expired.push('b'));
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['a', 'b']);
    expect(queue.size).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a step of the wall clock neither delays nor hastens a deadline', () => {
    let step = 0;
    const wallClock = vi.spyOn(Date, 'now').mockImplementation(() => performance.now() + step);
    const queue = new DeadlineQueue(1000);
    const expired: [string, number][] = [];
    queue.start(() => expired.push(['a', performance.now()]));
    vi.advanceTimersByTime(900);
    queue.start(() => expired.push(['b', performance.now()]));
    // NTP steps the wall clock back a minute: a's deadline still comes at 1000.
    step = -60_000;
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([['a', 1000]]);
    // Then forward an hour: b is not expired before its own deadline.
    step = 3_600_000;
    vi.advanceTimersByTime(899);
    expect(expired).toEqual([['a', 1000]]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([['a', 1000], ['b', 1900]]);
    wallClock.mockRestore();
  });

  it('property: for any starts and settles over time, each call expires exactly at start + timeout unless it settled before, and once', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('start' as const) }),
      fc.record({ kind: fc.constant('settle' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 700 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(step, { maxLength: 40 }), (timeout, steps) => {
        vi.setSystemTime(0);
        vi.clearAllTimers();
        const queue = new DeadlineQueue(timeout);
        const calls: { started: number; expiredAt: number[]; settledAt?: number; handle: { settle(): boolean } }[] = [];
        for (const action of steps) {
          if (action.kind === 'start') {
            const call = { started: Date.now(), expiredAt: [] as number[], handle: { settle: () => false } };
            call.handle = queue.start(() => call.expiredAt.push(Date.now()));
            calls.push(call);
          } else if (action.kind === 'settle' && calls.length > 0) {
            const call = calls[action.which % calls.length]!;
            const open = call.expiredAt.length === 0 && call.settledAt === undefined;
            expect(call.handle.settle()).toBe(open);
            if (open) call.settledAt = Date.now();
          } else if (action.kind === 'wait') vi.advanceTimersByTime(action.ms);
        }
        vi.advanceTimersByTime(timeout + 1);
        for (const call of calls) {
          if (call.settledAt !== undefined) expect(call.expiredAt).toEqual([]);
          else expect(call.expiredAt).toEqual([call.started + timeout]);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('TimedStorage over the queue', () => {
  it('a storage method that answers with a plain value (not async) is an answer, with no timeout reported after it', async () => {
    const events: unknown[] = [];
    const plain = { read: () => ({ value: 'x', version: '1' }) } as unknown as Storage;
    const timed = new TimedStorage('s', 'plain', plain, 1000, (event) => events.push(event));
    await expect(timed.read('k')).resolves.toEqual({ value: 'x', version: '1' });
    vi.advanceTimersByTime(5000);
    expect(events).toEqual([]);
  });

  it('a storage method that throws at once is one store_unavailable event and a SessionStorageError', async () => {
    const events: unknown[] = [];
    const throwing = {
      read: () => {
        throw new Error('boom');
      },
    } as unknown as Storage;
    const timed = new TimedStorage('s', 'bad', throwing, 1000, (event) => events.push(event));
    await expect(timed.read('k')).rejects.toThrow('read failed: boom');
    vi.advanceTimersByTime(5000);
    expect(events).toEqual([{ type: 'store_unavailable', session: 's', storage: 'bad', operation: 'read', error: 'boom' }]);
  });

  it('a storage that cannot hang (inProcess, as MemoryStorage) sets no deadline; its throws and rejections are still reported', async () => {
    const events: unknown[] = [];
    const memory = new MemoryStorage({ maxEntries: 10 });
    expect(memory.inProcess).toBe(true);
    const timed = new TimedStorage('s', 'mem', memory, 1000, (event) => events.push(event));
    await expect(timed.write('k', 'v', 60)).resolves.toBe(true);
    await expect(timed.read('k')).resolves.toMatchObject({ value: 'v' });
    expect(vi.getTimerCount()).toBe(0);
    const failing = {
      inProcess: true,
      read: () => {
        throw new Error('boom');
      },
      write: () => Promise.reject(new Error('full')),
    } as unknown as Storage;
    const reported = new TimedStorage('s', 'bad', failing, 1000, (event) => events.push(event));
    await expect(reported.read('k')).rejects.toThrow('read failed: boom');
    await expect(reported.write('k', 'v', 60)).rejects.toThrow('write failed: full');
    expect(events).toEqual([
      { type: 'store_unavailable', session: 's', storage: 'bad', operation: 'read', error: 'boom' },
      { type: 'store_unavailable', session: 's', storage: 'bad', operation: 'write', error: 'full' },
    ]);
  });
});
