import { systemClock, type Clock } from '../clock.js';
import { checkMaxEntries } from './option-checks.js';
import { SegmentedLru } from './segmented-lru.js';
import type { IndexChange, IndexedEntry, IndexedWriteOptions, Storage, StorageIndexes, StoredEntry, WriteOptions } from './storage.js';
import { entryLifetime, touchAfterMilliseconds, ttlMilliseconds } from './ttl.js';
import { conditionHolds, writeCondition } from './write-condition.js';

export interface MemoryStorageOptions {
  /** Entries kept at most; past it the entry longest on probation is evicted (security.md #53, #64). */
  readonly maxEntries: number;
  /** Epoch milliseconds; the middleware passes its own clock so tests can move time. */
  readonly clock?: Clock;
  /** Writes between two sweeps of expired entries, at least as many as entries held. Default 1024. */
  readonly sweepEvery?: number;
  /**
   * Called, synchronously, once per live entry evicted to stay within `maxEntries`, with nothing that
   * names it. The middleware turns it into an `evicted` event for the storages it builds from the spec;
   * an app building its own storage passes its own, e.g. a metrics counter.
   */
  readonly onEvict?: () => void;
}

interface MemoryEntry extends StoredEntry {
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds past which no sliding read extends the entry; `Infinity` for none. */
  readonly notAfter: number;
}

const DEFAULT_SWEEP_EVERY = 1024;

/**
 * A bounded, expiring storage in this process's memory: `kind: memory` in sessions.yaml. Sessions are
 * lost on restart and not shared between processes, so it suits one-machine apps and tests.
 *
 * The bound is a segmented LRU (`SegmentedLru`), so that a flood of sessions created once and never
 * sent back cannot evict the sessions in use (security.md #64): a new entry starts on probation, and
 * any later read or write of it moves it to the protected segment (at most 80% of
 * `maxEntries`); evictions take the entry longest on probation. Expired entries are dropped when met
 * and swept every `sweepEvery` writes, so no timer keeps the process (or a test run) alive.
 *
 * Each call runs to completion without awaiting anything, so a conditional write checks the version and
 * replaces the entry in one step that no other request can interleave with (security.md #49, #50), and an
 * indexed write, delete, listing or revocation changes entries and memberships in one step too. A member
 * whose entry expired or was evicted stays in its index until a listing or the next sweep drops it.
 *
 * @example
 * app.use(installSessions({ storages: { mem: new MemoryStorage({ maxEntries: 10_000, onEvict: () => evictions.inc() }) } }));
 */
export class MemoryStorage implements Storage, StorageIndexes {
  /**
   * Every call is one synchronous step on a Map: nothing to wait for, so no deadline to keep. A subclass
   * that waits on I/O sets it to `false`, or its calls run without `storageTimeout`.
   */
  readonly inProcess: boolean = true;
  readonly #entries: SegmentedLru<MemoryEntry>;
  /** Each index's member keys. */
  readonly #indexes = new Map<string, Set<string>>();
  readonly #clock: Clock;
  readonly #sweepEvery: number;
  readonly #onEvict: (() => void) | undefined;
  #writesSinceSweep = 0;
  /** Source of versions: never repeats within this storage, so a recreated key gets a new one. */
  #writes = 0;

  constructor(options: MemoryStorageOptions) {
    this.#entries = new SegmentedLru(checkMaxEntries('MemoryStorage', options.maxEntries));
    this.#clock = options.clock ?? systemClock;
    this.#sweepEvery = options.sweepEvery ?? DEFAULT_SWEEP_EVERY;
    this.#onEvict = options.onEvict;
  }

  /** Entries held, including expired ones not swept yet. */
  get size(): number {
    return this.#entries.size;
  }

  async read(key: string, slideSeconds?: number, touchAfterSeconds?: number): Promise<StoredEntry | undefined> {
    const entry = this.#use(key);
    if (entry === undefined) return undefined;
    if (slideSeconds !== undefined && !this.#slide(key, entry, slideSeconds, touchAfterSeconds)) return undefined;
    return { value: entry.value, version: entry.version };
  }

  async write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    return this.#write(key, value, ttlSeconds, options);
  }

  async invalidate(key: string, ifVersion?: string): Promise<boolean> {
    return this.#invalidate(key, ifVersion);
  }

  async writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    if (!this.#write(key, value, ttlSeconds, options)) return false;
    if (change.leave !== undefined && change.leave !== change.join) this.#leave(change.leave, key);
    const members = this.#indexes.get(change.join) ?? new Set();
    this.#indexes.set(change.join, members.add(key));
    return true;
  }

  async invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    if (!this.#invalidate(key, ifVersion)) return false;
    this.#leave(index, key);
    return true;
  }

  async listIndex(index: string): Promise<IndexedEntry[]> {
    const now = this.#clock();
    const found: IndexedEntry[] = [];
    for (const key of this.#indexes.get(index) ?? []) {
      const entry = this.#live(key);
      if (entry === undefined) this.#leave(index, key);
      else found.push({ key, value: entry.value, version: entry.version, ttlSeconds: (entry.expiresAt - now) / 1000 });
    }
    return found;
  }

  async revokeIndex(index: string, keep: readonly string[] = []): Promise<string[]> {
    const revoked: string[] = [];
    for (const key of this.#indexes.get(index) ?? []) {
      if (keep.includes(key)) continue;
      if (this.#live(key) !== undefined) revoked.push(key);
      this.#entries.delete(key);
      this.#leave(index, key);
    }
    return revoked;
  }

  #leave(index: string, key: string): void {
    const members = this.#indexes.get(index);
    members?.delete(key);
    if (members?.size === 0) this.#indexes.delete(index);
  }

  #write(key: string, value: string, ttlSeconds: number, options: WriteOptions | undefined): boolean {
    const condition = writeCondition(options);
    const { ttlMs, maxMs } = entryLifetime(ttlSeconds, options?.maxSeconds);
    if (!conditionHolds(condition, this.#use(key)?.version)) return false;
    const now = this.#clock();
    this.#entries.set(key, { value, version: String(++this.#writes), expiresAt: now + ttlMs, notAfter: maxMs === undefined ? Infinity : now + maxMs });
    // A sweep visits every entry; spacing sweeps at least `size` writes apart keeps that O(1) per write.
    if (++this.#writesSinceSweep >= Math.max(this.#sweepEvery, this.#entries.size)) this.#sweep();
    // A write adds one entry at most, so one eviction restores the bound.
    const evicted = this.#entries.takeOverflow();
    // An expired entry not swept yet was dead already: dropping it is no eviction.
    if (evicted !== undefined && evicted[1].expiresAt > now) this.#onEvict?.();
    return true;
  }

  #invalidate(key: string, ifVersion: string | undefined): boolean {
    if (ifVersion !== undefined && this.#live(key)?.version !== ifVersion) return false;
    this.#entries.delete(key);
    return true;
  }

  /**
   * Moves the expiry to `ttlSeconds` from now, capped at the deadline, when that moves it by `touchAfterSeconds`
   * or more. Past the deadline, the entry goes, and the result is `false`.
   */
  #slide(key: string, entry: MemoryEntry, ttlSeconds: number, touchAfterSeconds: number | undefined): boolean {
    const now = this.#clock();
    const expiresAt = Math.min(now + ttlMilliseconds(ttlSeconds), entry.notAfter);
    if (expiresAt <= now) {
      this.#entries.delete(key);
      return false;
    }
    if (expiresAt - entry.expiresAt >= touchAfterMilliseconds(touchAfterSeconds)) entry.expiresAt = expiresAt;
    return true;
  }

  /** The live entry under `key`, used again: promoted to the protected segment. */
  #use(key: string): MemoryEntry | undefined {
    const entry = this.#live(key);
    if (entry !== undefined) this.#entries.promote(key);
    return entry;
  }

  /** The live entry under `key`, left where it is; an expired one is dropped. */
  #live(key: string): MemoryEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt > this.#clock()) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #sweep(): void {
    this.#writesSinceSweep = 0;
    const now = this.#clock();
    for (const [key, entry] of this.#entries.entries()) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    // Memberships of entries gone since the last sweep: at most one per write, so as bounded as the entries.
    for (const [index, members] of this.#indexes) {
      for (const key of members) if (!this.#entries.has(key)) this.#leave(index, key);
    }
  }
}
