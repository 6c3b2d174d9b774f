import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { SessionConfigError } from '../errors.js';
import { FileLocks } from './file-lock.js';
import { checkMaxEntries, checkMilliseconds } from './option-checks.js';
import { SegmentedLru } from './segmented-lru.js';
import {
  HEADER_LENGTH,
  INDEX_FILE,
  SESSION_FILE,
  TEMP_FILE,
  indexNameFor,
  isMissing,
  nameFor,
  parseHeader,
  readFileHeader,
  readIndexFile,
  removeDeadFiles,
  replaceFile,
  sessionFileContent,
  slideExpiry,
  writeIndexFile,
  type IndexFile,
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

/** What an indexed write does to its indexes inside the entry's lock: `join` before the rename, `leave` after. */
interface Filing {
  join(): Promise<void>;
  leave(): Promise<void>;
}

/** An index change that unfiles `key`. */
function without(key: string): (index: IndexFile) => IndexFile {
  return ({ expiresAt, members }) => {
    members.delete(key);
    return { expiresAt, members };
  };
}
/**
 * Evictions a write tries at most: one keeps the bound; a second drains a folder found over it at startup,
 * or takes the next file when the first was kept alive by another process.
 */
const EVICTIONS_PER_WRITE = 2;

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
 *   since (its expiry moved) is promoted, not evicted.
 * - An index is one more file (`<SHA-256 of the index>.index`, its member keys as JSON). Every indexed call
 *   holds the index's lock around all of its work, entry locks inside, so it is one step for every process;
 *   an indexed write files its entry before the rename, so a crash in between leaves a member with no
 *   entry (dropped when listed), never an entry outside its index.
 *
 * @example
 * app.use(installSessions({ storages: { files: new DirectoryStorage({ path: '.sessions', maxEntries: 10_000 }) } }));
 */
export class DirectoryStorage implements Storage, StorageIndexes {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #sweepIntervalMs: number;
  readonly #onEvict: (() => void) | undefined;
  readonly #locks = new FileLocks();
  /**
   * Session file names in eviction order, each with the expiry this process last wrote or read in it;
   * `undefined` for a file found at startup and not used since.
   */
  readonly #recency: SegmentedLru<number | undefined>;
  #nextSweepAt: number;

  constructor(options: DirectoryStorageOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new SessionConfigError('DirectoryStorage: path must name a folder, for example ".sessions"');
    }
    const interval = checkMilliseconds('DirectoryStorage', 'sweepIntervalMs', options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    this.#recency = new SegmentedLru(checkMaxEntries('DirectoryStorage', options.maxEntries));
    this.#path = options.path;
    this.#clock = options.clock ?? systemClock;
    this.#sweepIntervalMs = interval;
    this.#onEvict = options.onEvict;
    this.#nextSweepAt = this.#clock() + interval;
    const found = openTrustedFolder(options.path, (name) => SESSION_FILE.test(name) || INDEX_FILE.test(name) || TEMP_FILE.test(name));
    for (const file of found.filter(({ name }) => SESSION_FILE.test(name)).sort((a, b) => a.modifiedAt - b.modifiedAt)) {
      this.#recency.set(file.name, undefined);
    }
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
      this.#recency.delete(name);
      return undefined;
    }
    const header = parseHeader(content);
    if (header === undefined || header.expiresAt <= this.#clock()) {
      await this.#remove(name);
      return undefined;
    }
    if (slideMs === undefined) this.#used(name, header.expiresAt);
    else await this.#slide(name, slideMs, touchAfterMs);
    return { value: content.slice(HEADER_LENGTH), version: header.version };
  }

  async write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    await this.#makeFolder();
    return this.#write(key, value, ttlSeconds, options, undefined);
  }

  async writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    const deadline = this.#clock() + ttlMilliseconds(options.maxSeconds);
    const leave = change.leave === change.join ? undefined : change.leave;
    await this.#makeFolder();
    return this.#holdIndexes([change.join, leave], () =>
      this.#write(key, value, ttlSeconds, options, {
        join: () => this.#updateIndex(change.join, ({ expiresAt, members }) => ({ expiresAt: Math.max(expiresAt, deadline), members: members.add(key) })),
        leave: async () => {
          if (leave !== undefined) await this.#updateIndex(leave, without(key));
        },
      }),
    );
  }

  async invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    return this.#inFolder(ifVersion === undefined, () =>
      this.#holdIndexes([index], async () => {
        if (!(await this.#invalidate(key, ifVersion))) return false;
        await this.#updateIndex(index, without(key));
        return true;
      }),
    );
  }

  async listIndex(index: string): Promise<IndexedEntry[]> {
    return this.#inFolder([], () =>
      this.#holdIndexes([index], async () => {
        const found: IndexedEntry[] = [];
        await this.#updateIndex(index, async ({ expiresAt, members }) => {
          const now = this.#clock();
          for (const key of members) {
            const entry = await this.#liveEntry(key, now);
            if (entry === undefined) members.delete(key);
            else found.push(entry);
          }
          return { expiresAt, members };
        });
        return found;
      }),
    );
  }

  async revokeIndex(index: string, keep: readonly string[] = []): Promise<string[]> {
    return this.#inFolder([], () =>
      this.#holdIndexes([index], async () => {
        const revoked: string[] = [];
        await this.#updateIndex(index, async ({ expiresAt, members }) => {
          for (const key of members) {
            if (keep.includes(key)) continue;
            const name = nameFor(key);
            const file = join(this.#path, name);
            await this.#locks.hold(`${file}.lock`, async () => {
              if ((await this.#liveVersion(file)) !== undefined) revoked.push(key);
              await this.#remove(name);
            });
            members.delete(key);
          }
          return { expiresAt, members };
        });
        return revoked;
      }),
    );
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
      if (current === undefined) this.#recency.set(name, expiresAt);
      else this.#used(name, expiresAt);
      return true;
    });
    for (let tries = 0; tries < EVICTIONS_PER_WRITE; tries++) {
      const overflow = this.#recency.takeOverflow();
      if (overflow === undefined) break;
      await this.#evict(...overflow);
    }
    this.#sweepWhenDue();
    return written;
  }

  async invalidate(key: string, ifVersion?: string): Promise<boolean> {
    return this.#inFolder(ifVersion === undefined, () => this.#invalidate(key, ifVersion));
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

  /** Every time, not once: a folder removed under a running app (a cleanup job) comes back. It costs one syscall. */
  async #makeFolder(): Promise<void> {
    await mkdir(this.#path, { recursive: true, mode: 0o700 });
  }

  /** `run`'s result, or `noFolder` when the folder is missing: nothing to delete, list or revoke, and no version to match. */
  async #inFolder<T>(noFolder: T, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isMissing(error)) return noFolder;
      throw error;
    }
  }

  /**
   * `run` holding the locks of `indexes` (an `undefined` stands for none), taken in the order of their file
   * names, so that two writes moving entries between the same two indexes never wait for each other in a circle.
   */
  #holdIndexes<T>(indexes: readonly (string | undefined)[], run: () => Promise<T>): Promise<T> {
    const files = [...new Set(indexes.flatMap((index) => (index === undefined ? [] : [join(this.#path, indexNameFor(index))])))].sort();
    return files.reduceRight<() => Promise<T>>((inner, file) => () => this.#locks.hold(`${file}.lock`, inner), run)();
  }

  /** Replaces the file of `index` with `change`'s result, under the index's lock its caller holds. */
  async #updateIndex(index: string, change: (index: IndexFile) => IndexFile | Promise<IndexFile>): Promise<void> {
    const file = join(this.#path, indexNameFor(index));
    await writeIndexFile(file, await change(await readIndexFile(file, this.#clock())));
  }

  /** The live entry under `key` as a listing returns it, or `undefined`; read without a lock, as `read` does. */
  async #liveEntry(key: string, now: number): Promise<IndexedEntry | undefined> {
    let content: string;
    try {
      content = await readFile(join(this.#path, nameFor(key)), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const header = parseHeader(content);
    if (header === undefined || header.expiresAt <= now) return undefined;
    return { key, value: content.slice(HEADER_LENGTH), version: header.version, ttlSeconds: (header.expiresAt - now) / 1000 };
  }

  /** The sweep of the index file `name`: removed, under its lock, when it has expired or is broken. */
  async #sweepIndex(name: string): Promise<boolean> {
    const file = join(this.#path, name);
    return this.#locks.hold(`${file}.lock`, async () => {
      if ((await readIndexFile(file, this.#clock())).members.size > 0) return false;
      await rm(file, { force: true });
      return true;
    });
  }

  /** A sliding read's slide of the file `name`, through `slideExpiry`. */
  async #slide(name: string, ttlMs: number, touchAfterMs: number): Promise<void> {
    const now = this.#clock();
    const expiresAt = await slideExpiry(join(this.#path, name), ttlMs, touchAfterMs, now);
    if (expiresAt === 'missing') this.#recency.delete(name);
    else if (expiresAt === undefined) return;
    else if (expiresAt > now) this.#used(name, expiresAt);
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
      (name) => this.#recency.delete(name),
      (name) => this.#sweepIndex(name),
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

  /**
   * Removes the file `name`, taken out of the eviction order, under its lock so that no write of it
   * lands in between. A file whose expiry moved past `seenExpiry`, the one this process last saw, was
   * written or slid by another process sharing the folder: in use there, it is promoted instead.
   */
  async #evict(name: string, seenExpiry: number | undefined): Promise<void> {
    const file = join(this.#path, name);
    await this.#locks.hold(`${file}.lock`, async () => {
      // Used by this process while the lock was awaited: back in the order, not to be evicted.
      if (this.#recency.has(name)) return;
      const header = await readFileHeader(file);
      if (header === 'missing') return;
      if (header !== undefined && seenExpiry !== undefined && header.expiresAt > seenExpiry) {
        this.#used(name, header.expiresAt);
        return;
      }
      await rm(file, { force: true });
      // An expired or broken file was dead already: removing it is no eviction.
      if (header !== undefined && header.expiresAt > this.#clock()) this.#onEvict?.();
    });
  }

  /** Records that the file `name`, expiring at `expiresAt`, was used again: promoted in the eviction order. */
  #used(name: string, expiresAt: number): void {
    this.#recency.set(name, expiresAt);
    this.#recency.promote(name);
  }

  async #remove(name: string): Promise<void> {
    await rm(join(this.#path, name), { force: true });
    this.#recency.delete(name);
  }
}
