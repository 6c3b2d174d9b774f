import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HEADER_LENGTH,
  indexNameFor,
  isMissing,
  nameFor,
  parseHeader,
  readIndexFile,
  writeIndexFile,
  type DirectoryFolder,
  type IndexFile,
} from './session-files.js';
import type { IndexChange, IndexedEntry, IndexedWriteOptions, StorageIndexes, WriteOptions } from './storage.js';
import { ttlMilliseconds } from './ttl.js';

/** What an indexed write does to its indexes inside the entry's lock: `join` before the rename, `leave` after. */
export interface Filing {
  join(): Promise<void>;
  leave(): Promise<void>;
}

/** What the index files use of `DirectoryStorage`: its folder, and its steps on one entry, each under the entry's lock. */
export interface DirectoryIndexContext extends DirectoryFolder {
  /** Writes the entry when the condition holds, filed as `filing` says. */
  write(key: string, value: string, ttlSeconds: number, options: WriteOptions, filing: Filing): Promise<boolean>;
  /** Deletes the entry; with `ifVersion`, only the entry of that version. */
  invalidate(key: string, ifVersion: string | undefined): Promise<boolean>;
  /** The version of the live entry in `file`, or `undefined` when there is none. */
  liveVersion(file: string): Promise<string | undefined>;
  /** Removes the session file `name`, taken out of the eviction order. */
  remove(name: string): Promise<void>;
}

/** An index change that unfiles `key`. */
function without(key: string): (index: IndexFile) => IndexFile {
  return ({ expiresAt, members }) => {
    members.delete(key);
    return { expiresAt, members };
  };
}

/**
 * `DirectoryStorage`'s indexes, one file each, as its doc comment says (runtime/storage/directory.ts): the index
 * locks taken in one order, the entry filed before its rename, members found gone dropped. The storage makes
 * the folder before a write and answers for a missing one, as it does for its entries.
 *
 * @example
 * const indexes = new DirectoryIndexes({ path, clock, locks, write, invalidate, liveVersion, remove });
 * const devices = await indexes.listIndex(userIndex);
 */
export class DirectoryIndexes implements StorageIndexes {
  readonly #context: DirectoryIndexContext;

  constructor(context: DirectoryIndexContext) {
    this.#context = context;
  }

  writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    const deadline = this.#context.clock() + ttlMilliseconds(options.maxSeconds);
    const leave = change.leave === change.join ? undefined : change.leave;
    return this.#holdIndexes([change.join, leave], () =>
      this.#context.write(key, value, ttlSeconds, options, {
        join: () => this.#updateIndex(change.join, ({ expiresAt, members }) => ({ expiresAt: Math.max(expiresAt, deadline), members: members.add(key) })),
        leave: async () => {
          if (leave !== undefined) await this.#updateIndex(leave, without(key));
        },
      }),
    );
  }

  invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    return this.#holdIndexes([index], async () => {
      if (!(await this.#context.invalidate(key, ifVersion))) return false;
      await this.#updateIndex(index, without(key));
      return true;
    });
  }

  listIndex(index: string): Promise<IndexedEntry[]> {
    return this.#holdIndexes([index], async () => {
      const found: IndexedEntry[] = [];
      await this.#updateIndex(index, async ({ expiresAt, members }) => {
        const now = this.#context.clock();
        for (const key of members) {
          const entry = await this.#liveEntry(key, now);
          if (entry === undefined) members.delete(key);
          else found.push(entry);
        }
        return { expiresAt, members };
      });
      return found;
    });
  }

  revokeIndex(index: string, keep: readonly string[] = []): Promise<string[]> {
    return this.#holdIndexes([index], async () => {
      const revoked: string[] = [];
      await this.#updateIndex(index, async ({ expiresAt, members }) => {
        for (const key of members) {
          if (keep.includes(key)) continue;
          const name = nameFor(key);
          const file = join(this.#context.path, name);
          await this.#context.locks.hold(`${file}.lock`, async () => {
            if ((await this.#context.liveVersion(file)) !== undefined) revoked.push(key);
            await this.#context.remove(name);
          });
          members.delete(key);
        }
        return { expiresAt, members };
      });
      return revoked;
    });
  }

  /** The sweep of the index file `name`: removed, under its lock, when it has expired or is broken. */
  async sweepIndex(name: string): Promise<boolean> {
    const file = join(this.#context.path, name);
    return this.#context.locks.hold(`${file}.lock`, async () => {
      if ((await readIndexFile(file, this.#context.clock())).members.size > 0) return false;
      await rm(file, { force: true });
      return true;
    });
  }

  /**
   * `run` holding the locks of `indexes` (an `undefined` stands for none), taken in the order of their file
   * names, so that two writes moving entries between the same two indexes never wait for each other in a circle.
   */
  #holdIndexes<T>(indexes: readonly (string | undefined)[], run: () => Promise<T>): Promise<T> {
    const files = [...new Set(indexes.flatMap((index) => (index === undefined ? [] : [join(this.#context.path, indexNameFor(index))])))].sort();
    return files.reduceRight<() => Promise<T>>((inner, file) => () => this.#context.locks.hold(`${file}.lock`, inner), run)();
  }

  /** Replaces the file of `index` with `change`'s result, under the index's lock its caller holds. */
  async #updateIndex(index: string, change: (index: IndexFile) => IndexFile | Promise<IndexFile>): Promise<void> {
    const file = join(this.#context.path, indexNameFor(index));
    await writeIndexFile(file, await change(await readIndexFile(file, this.#context.clock())));
  }

  /** The live entry under `key` as a listing returns it, or `undefined`; read without a lock, as `read` does. */
  async #liveEntry(key: string, now: number): Promise<IndexedEntry | undefined> {
    let content: string;
    try {
      content = await readFile(join(this.#context.path, nameFor(key)), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const header = parseHeader(content);
    if (header === undefined || header.expiresAt <= now) return undefined;
    return { key, value: content.slice(HEADER_LENGTH), version: header.version, ttlSeconds: (header.expiresAt - now) / 1000 };
  }
}
