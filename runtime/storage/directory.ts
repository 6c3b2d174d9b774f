import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { SessionConfigError } from '../errors.js';
import { DirectoryEvictions } from './directory-evictions.js';
import { DirectoryIndexes, type Filing } from './directory-indexes.js';
import { FileLocks } from './file-lock.js';
import { checkMaxEntries, checkMilliseconds } from './option-checks.js';
import {
  HEADER_LENGTH,
  INDEX_FILE,
  SESSION_FILE,
  TEMP_FILE,
  inFolder,
  isMissing,
  makeFolder,
  nameFor,
  parseHeader,
  readFileHeader,
  removeDeadFiles,
  replaceFile,
  sessionFileContent,
  slideExpiry,
} from './session-files.js';
import type { IndexChange, IndexedEntry, IndexedWriteOptions, Storage, StorageIndexes, StoredEntry, WriteOptions } from './storage.js';
import { openTrustedFolder } from './trusted-folder.js';
import { entryLifetime, touchAfterMilliseconds, ttlMilliseconds } from './ttl.js';
import { conditionHolds, writeCondition } from './write-condition.js';

export interface DirectoryStorageOptions {
  /**
   * Folder holding one file per session; created with mode 0700 when the storage is built. A folder or
   * session file another user could have written is refused then (security.md #62).
   */
  readonly path: string;
  /**
   * Session files this storage keeps at most; past it a file this process has not seen used again is
   * removed, as in `MemoryStorage` (security.md #62, #64). `kind: directory` defaults to 10,000.
   */
  readonly maxEntries: number;
  /** Epoch milliseconds; the middleware passes its own clock so tests can move time. */
  readonly clock?: Clock;
  /** Milliseconds between background sweeps of expired files, each started by a write. Default 10 minutes. */
  readonly sweepIntervalMs?: number;
  /**
   * Called once per live session file removed to stay within `maxEntries`, with nothing that names it.
   * The middleware turns it into an `evicted` event for the storages it builds from the spec.
   */
  readonly onEvict?: () => void;
}

const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Sessions as files in one folder: `kind: directory` in sessions.yaml (Ktor's `directorySessionStorage`).
 * Survives restarts and is shared by processes on one machine; docs/storage.md ("Memory and directory
 * notes") says what it promises. How, in short:
 *
 * - A file's name is the SHA-256 (hex) of its key: any key, `../../etc/passwd` included, stays inside the folder.
 * - Writes go to a temporary file renamed over the old one (atomic within a file system): a reader sees
 *   the old value or the new one, never a torn file; a file without a valid header reads as missing.
 * - Writes and deletes hold a lock file per key around the version check and the rename, so conditional
 *   writes are atomic for every process sharing the folder (security.md #44, #49, #50).
 * - The expiry lives in the file, enforced on every read; expired files go when read and by `sweep()`.
 * - At most `maxEntries` files, evicted in the memory storage's order (`SegmentedLru`, security.md #64)
 *   kept in this process: O(1) per write however full the folder is. A file another process has used
 *   since (its expiry moved) is promoted, not evicted (runtime/storage/directory-evictions.ts).
 * - An index is one more file (`<SHA-256 of the index>.index`, its member keys as JSON). Every indexed call
 *   holds the index's lock around all of its work, entry locks inside, so it is one step for every process;
 *   an indexed write files its entry before the rename, so a crash in between leaves a member with no
 *   entry (dropped when listed), never an entry outside its index (runtime/storage/directory-indexes.ts).
 *
 * @example
 * app.use(installSessions({ storages: { files: new DirectoryStorage({ path: '.sessions', maxEntries: 10_000 }) } }));
 */
export class DirectoryStorage implements Storage, StorageIndexes {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #sweepIntervalMs: number;
  readonly #locks = new FileLocks();
  /** The bound of `maxEntries` files (runtime/storage/directory-evictions.ts). */
  readonly #evictions: DirectoryEvictions;
  /** The index files (runtime/storage/directory-indexes.ts). */
  readonly #indexes: DirectoryIndexes;
  #nextSweepAt: number;

  constructor(options: DirectoryStorageOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new SessionConfigError('DirectoryStorage: path must name a folder, for example ".sessions"');
    }
    const interval = checkMilliseconds('DirectoryStorage', 'sweepIntervalMs', options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    const maxEntries = checkMaxEntries('DirectoryStorage', options.maxEntries);
    this.#path = options.path;
    this.#clock = options.clock ?? systemClock;
    this.#sweepIntervalMs = interval;
    this.#nextSweepAt = this.#clock() + interval;
    const folder = { path: this.#path, clock: this.#clock, locks: this.#locks };
    this.#evictions = new DirectoryEvictions(folder, maxEntries, options.onEvict);
    this.#indexes = new DirectoryIndexes({
      ...folder,
      write: (key, value, ttlSeconds, writeOptions, filing) => this.#write(key, value, ttlSeconds, writeOptions, filing),
      invalidate: (key, ifVersion) => this.#invalidate(key, ifVersion),
      liveVersion: (file) => this.#liveVersion(file),
      remove: (name) => this.#remove(name),
    });
    this.#evictions.foundAtStartup(openTrustedFolder(options.path, (name) => SESSION_FILE.test(name) || INDEX_FILE.test(name) || TEMP_FILE.test(name)));
  }

  async read(key: string, slideSeconds?: number, touchAfterSeconds?: number): Promise<StoredEntry | undefined> {
    const slideMs = slideSeconds === undefined ? undefined : ttlMilliseconds(slideSeconds);
    const touchAfterMs = touchAfterMilliseconds(touchAfterSeconds);
    const name = nameFor(key);
    const file = join(this.#path, name);
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.#evictions.forget(name);
      return undefined;
    }
    const header = parseHeader(content);
    if (header === undefined || header.expiresAt <= this.#clock()) {
      await this.#remove(name);
      return undefined;
    }
    if (slideMs === undefined) this.#evictions.used(name, header.expiresAt);
    else await this.#slide(name, slideMs, touchAfterMs);
    return { value: content.slice(HEADER_LENGTH), version: header.version };
  }

  async write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    await makeFolder(this.#path);
    return this.#write(key, value, ttlSeconds, options, undefined);
  }

  async writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    await makeFolder(this.#path);
    return this.#indexes.writeIndexed(key, value, ttlSeconds, change, options);
  }

  async invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    return inFolder(ifVersion === undefined, () => this.#indexes.invalidateIndexed(key, index, ifVersion));
  }

  async listIndex(index: string): Promise<IndexedEntry[]> {
    return inFolder([], () => this.#indexes.listIndex(index));
  }

  async revokeIndex(index: string, keep?: readonly string[]): Promise<string[]> {
    return inFolder([], () => this.#indexes.revokeIndex(index, keep));
  }

  /**
   * Writes the entry when the condition holds, under the entry's lock; an indexed write files it before the
   * rename and unfiles it from the index it leaves after, inside the index locks its caller holds.
   */
  async #write(key: string, value: string, ttlSeconds: number, options: WriteOptions | undefined, filing: Filing | undefined): Promise<boolean> {
    const condition = writeCondition(options);
    const { ttlMs, maxMs } = entryLifetime(ttlSeconds, options?.maxSeconds);
    const now = this.#clock();
    const expiresAt = now + ttlMs;
    const content = sessionFileContent(expiresAt, maxMs === undefined ? undefined : now + maxMs, value);
    const name = nameFor(key);
    const file = join(this.#path, name);
    const written = await this.#locks.hold(`${file}.lock`, async () => {
      const current = await this.#liveVersion(file);
      if (!conditionHolds(condition, current)) return false;
      await filing?.join();
      await replaceFile(file, content);
      await filing?.leave();
      // A new file starts on probation; a rewritten one was used again.
      if (current === undefined) this.#evictions.added(name, expiresAt);
      else this.#evictions.used(name, expiresAt);
      return true;
    });
    await this.#evictions.evictOverflow();
    this.#sweepWhenDue();
    return written;
  }

  async invalidate(key: string, ifVersion?: string): Promise<boolean> {
    return inFolder(ifVersion === undefined, () => this.#invalidate(key, ifVersion));
  }

  #invalidate(key: string, ifVersion: string | undefined): Promise<boolean> {
    const name = nameFor(key);
    const file = join(this.#path, name);
    // Under the lock even without a version: a delete landing between another write's check and its
    // rename would otherwise be undone by that rename (security.md #50).
    return this.#locks.hold(`${file}.lock`, async () => {
      if (ifVersion !== undefined && (await this.#liveVersion(file)) !== ifVersion) return false;
      await this.#remove(name);
      return true;
    });
  }

  /** A sliding read's slide of the file `name`, through `slideExpiry`. */
  async #slide(name: string, ttlMs: number, touchAfterMs: number): Promise<void> {
    const now = this.#clock();
    const expiresAt = await slideExpiry(join(this.#path, name), ttlMs, touchAfterMs, now);
    if (expiresAt === 'missing') this.#evictions.forget(name);
    else if (expiresAt === undefined) return;
    else if (expiresAt > now) this.#evictions.used(name, expiresAt);
    else await this.#remove(name);
  }

  /**
   * Removes expired session files and temporary files left by crashed writes, and resolves to how many
   * files it removed. Files it did not create are left alone. Sweeps may overlap: each removal is
   * idempotent.
   *
   * @example
   * const removed = await storage.sweep();
   */
  async sweep(): Promise<number> {
    return removeDeadFiles(
      this.#path,
      this.#clock(),
      (name) => this.#evictions.forget(name),
      (name) => this.#indexes.sweepIndex(name),
    );
  }

  #sweepWhenDue(): void {
    const now = this.#clock();
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + this.#sweepIntervalMs;
    // A failed background sweep only delays cleanup: reads enforce expiry anyway, and the next sweep retries.
    this.sweep().catch(() => undefined);
  }

  /** The version of the live entry in `file`, or `undefined` when there is none. */
  async #liveVersion(file: string): Promise<string | undefined> {
    const header = await readFileHeader(file);
    return header !== undefined && header !== 'missing' && header.expiresAt > this.#clock() ? header.version : undefined;
  }

  async #remove(name: string): Promise<void> {
    await rm(join(this.#path, name), { force: true });
    this.#evictions.forget(name);
  }
}
