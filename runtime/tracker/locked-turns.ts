import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StorageLocks } from '../storage/storage.js';
import type { TimedStorage } from '../storage/timed-storage.js';
import type { Turn, TurnQueue, TurnSource } from './turns.js';

/** The first wait before asking again for a lock another process holds, and the longest: requests hold it for milliseconds. */
const FIRST_RETRY_MS = 5;
const LAST_RETRY_MS = 100;

/**
 * `concurrency: serialize`: a turn in this process's queue, then the storage's lock on the id (Redis `SET
 * NX PX` with a random token), so requests take turns across every process sharing the storage. Only the
 * request at the head of a process's line asks for the lock, and it asks again after a back-off until the
 * queue timeout, counted from its arrival, has passed: then 503. The lock expires after the hold timeout,
 * so a crashed process holds no session longer; a request that outlives it finds it gone when commit
 * renews it, and writes nothing (503). Every lock call is bounded like any storage call.
 *
 * @example
 * const turns = new LockedTurns(new TurnQueue('cart', timeouts, emit), timedStorage, redisStorage);
 */
export class LockedTurns implements TurnSource {
  constructor(
    readonly queue: TurnQueue,
    readonly storage: TimedStorage,
    readonly locks: StorageLocks,
  ) {}

  take(key: string, after: Promise<void> | undefined): Turn {
    return new LockedTurn(this, key, this.queue.take(key), after);
  }
}

class LockedTurn implements Turn {
  readonly ready: Promise<void>;
  /** Set once the lock is this request's. */
  #token: string | undefined = undefined;
  #released = false;

  constructor(
    readonly turns: LockedTurns,
    readonly key: string,
    readonly local: Turn,
    after: Promise<void> | undefined,
  ) {
    this.ready = this.#lock(performance.now() + turns.queue.timeouts.queue, after);
  }

  async #lock(deadline: number, after: Promise<void> | undefined): Promise<void> {
    await this.local.ready;
    await after;
    const { storage, locks, queue } = this.turns;
    const token = randomBytes(16).toString('base64url');
    for (let delay = FIRST_RETRY_MS; !this.#released; delay = Math.min(delay * 2, LAST_RETRY_MS)) {
      if (await storage.bound('lock', () => locks.lock(this.key, token, queue.timeouts.hold))) {
        this.#token = token;
        // Released while the lock was on its way: the request has ended.
        if (this.#released) await this.#unlock(token);
        return;
      }
      if (performance.now() + delay > deadline) throw queue.refuse('queue');
      // Jittered, so processes waiting for one lock do not ask in step.
      await sleep(delay * (0.5 + Math.random() / 2));
    }
  }

  async confirm(): Promise<void> {
    this.local.confirm();
    const { storage, locks, queue } = this.turns;
    if (!(await storage.bound('lock', () => locks.renewLock(this.key, this.#token!, queue.timeouts.hold)))) throw queue.refuse('hold');
  }

  release(): Promise<void> | undefined {
    if (this.#released) return undefined;
    this.#released = true;
    const token = this.#token;
    if (token === undefined) return this.local.release();
    // The next request in this process asks for the lock once it is free, not while the release is on its way.
    return this.#unlock(token).finally(() => this.local.release());
  }

  /** A failed release is reported like any storage fault and otherwise ignored: the lock expires on its own. */
  #unlock(token: string): Promise<void> {
    return this.turns.storage.bound('unlock', () => this.turns.locks.unlock(this.key, token)).catch(() => undefined);
  }
}
