import { systemClock, type Clock } from '../clock.js';
import { SessionConfigError } from '../errors.js';
import type { Storage, StoredEntry, WriteOptions } from './storage.js';
import { entryLifetime, ttlMilliseconds } from './ttl.js';
import { conditionHolds, writeCondition } from './write-condition.js';

export interface MemoryStorageOptions {
  /** Entries kept at most; past it the least recently used entry is evicted (checklist #53). */
  readonly maxEntries: number;
  /** Epoch milliseconds; the middleware passes its own clock so tests can move time. */
  readonly clock?: Clock;
  /** Writes between two sweeps of expired entries, at least as many as entries held. Default 1024. */
  readonly sweepEvery?: number;
}

interface MemoryEntry extends StoredEntry {
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds past which no touch extends the entry; `Infinity` for none. */
  readonly notAfter: number;
}

const DEFAULT_SWEEP_EVERY = 1024;

/**
 * A bounded, expiring storage in this process's memory: `kind: memory` in sessions.yaml. Sessions are
 * lost on restart and not shared between processes, so it suits one-machine apps and tests.
 *
 * A `Map` keeps insertion order, so re-inserting an entry on every use keeps it ordered from least to
 * most recently used, and eviction takes the first key. Expired entries are dropped when met and swept
 * every `sweepEvery` writes, so no timer keeps the process (or a test run) alive.
 *
 * Each call runs to completion without awaiting anything, so a conditional write checks the version and
 * replaces the entry in one step that no other request can interleave with (checklist #49, #50).
 *
 * @example
 * app.use(installSessions({ storages: { mem: new MemoryStorage({ maxEntries: 10_000 }) } }));
 */
export class MemoryStorage implements Storage {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #sweepEvery: number;
  #writesSinceSweep = 0;
  /** Walks the entries from the least recently used on; see `#evictOldest`. */
  #evictionCursor: MapIterator<string> | undefined = undefined;
  /** Source of versions: never repeats within this storage, so a recreated key gets a new one. */
  #writes = 0;

  constructor(options: MemoryStorageOptions) {
    if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new SessionConfigError(`MemoryStorage: maxEntries must be a whole number of at least 1, not ${options.maxEntries}`);
    }
    this.#maxEntries = options.maxEntries;
    this.#clock = options.clock ?? systemClock;
    this.#sweepEvery = options.sweepEvery ?? DEFAULT_SWEEP_EVERY;
  }

  /** Entries held, including expired ones not swept yet. */
  get size(): number {
    return this.#entries.size;
  }

  async read(key: string, slideSeconds?: number): Promise<StoredEntry | undefined> {
    const entry = this.#use(key);
    if (entry !== undefined && slideSeconds !== undefined) this.#slide(key, entry, slideSeconds);
    return entry === undefined || entry.expiresAt <= this.#clock() ? undefined : { value: entry.value, version: entry.version };
  }

  async write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    const condition = writeCondition(options);
    const { ttlMs, maxMs } = entryLifetime(ttlSeconds, options?.maxSeconds);
    if (!conditionHolds(condition, this.#use(key)?.version)) return false;
    const now = this.#clock();
    this.#entries.delete(key);
    this.#entries.set(key, { value, version: String(++this.#writes), expiresAt: now + ttlMs, notAfter: maxMs === undefined ? Infinity : now + maxMs });
    // A sweep visits every entry; spacing sweeps at least `size` writes apart keeps that O(1) per write.
    if (++this.#writesSinceSweep >= Math.max(this.#sweepEvery, this.#entries.size)) this.#sweep();
    while (this.#entries.size > this.#maxEntries) this.#evictOldest();
    return true;
  }

  async invalidate(key: string, ifVersion?: string): Promise<boolean> {
    if (ifVersion !== undefined && this.#use(key)?.version !== ifVersion) return false;
    this.#entries.delete(key);
    return true;
  }

  async touch(key: string, ttlSeconds: number): Promise<void> {
    const entry = this.#use(key);
    if (entry !== undefined) this.#slide(key, entry, ttlSeconds);
  }

  /** Moves the expiry to `ttlSeconds` from now, capped at the deadline; past the deadline, the entry goes. */
  #slide(key: string, entry: MemoryEntry, ttlSeconds: number): void {
    const now = this.#clock();
    entry.expiresAt = Math.min(now + ttlMilliseconds(ttlSeconds), entry.notAfter);
    if (entry.expiresAt <= now) this.#entries.delete(key);
  }

  /** The live entry under `key`, moved to the most recently used end; an expired one is dropped. */
  #use(key: string): MemoryEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#clock()) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  /**
   * Deletes the least recently used entry. A `Map` leaves a hole where an entry was deleted until it
   * rehashes, and a fresh iterator skips every hole at the front: evicting with `keys().next()` each time
   * would cost more and more under a flood (checklist #53). One iterator kept across evictions passes
   * each hole once; entries moved to the end on use, or added, are still ahead of it, in order.
   */
  #evictOldest(): void {
    let oldest = this.#evictionCursor?.next();
    if (oldest === undefined || oldest.done === true) {
      this.#evictionCursor = this.#entries.keys();
      oldest = this.#evictionCursor.next();
    }
    if (oldest.done !== true) this.#entries.delete(oldest.value);
  }

  #sweep(): void {
    this.#writesSinceSweep = 0;
    const now = this.#clock();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}
