import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SegmentedLru } from './segmented-lru.js';
import { SESSION_FILE, readFileHeader, type DirectoryFolder } from './session-files.js';
import type { TrustedFile } from './trusted-folder.js';

/**
 * Evictions a write tries at most: one keeps the bound; a second drains a folder found over it at startup,
 * or takes the next file when the first was kept alive by another process.
 */
const EVICTIONS_PER_WRITE = 2;

/**
 * `DirectoryStorage`'s bound of `maxEntries` session files (runtime/storage/directory.ts), in an eviction
 * order kept in this process (security.md #64); `#evict` checks the file itself before it removes it, since
 * other processes sharing the folder use files this order does not see.
 *
 * @example
 * const evictions = new DirectoryEvictions({ path, clock, locks }, 10_000, onEvict);
 * evictions.added(name, expiresAt);
 * await evictions.evictOverflow();
 */
export class DirectoryEvictions {
  readonly #folder: DirectoryFolder;
  readonly #onEvict: (() => void) | undefined;
  /**
   * Session file names in eviction order, each with the expiry this process last wrote or read in it;
   * `undefined` for a file found at startup and not used since.
   */
  readonly #recency: SegmentedLru<number | undefined>;

  constructor(folder: DirectoryFolder, maxEntries: number, onEvict: (() => void) | undefined) {
    this.#recency = new SegmentedLru(maxEntries);
    this.#folder = folder;
    this.#onEvict = onEvict;
  }

  /** The session files found in the folder at startup, oldest first in the eviction order. */
  foundAtStartup(found: readonly TrustedFile[]): void {
    for (const file of found.filter(({ name }) => SESSION_FILE.test(name)).sort((a, b) => a.modifiedAt - b.modifiedAt)) {
      this.#recency.set(file.name, undefined);
    }
  }

  /** Records the new file `name`, expiring at `expiresAt`: it starts on probation. */
  added(name: string, expiresAt: number): void {
    this.#recency.set(name, expiresAt);
  }

  /** Records that the file `name`, expiring at `expiresAt`, was used again: promoted in the eviction order. */
  used(name: string, expiresAt: number): void {
    this.#recency.set(name, expiresAt);
    this.#recency.promote(name);
  }

  /** Takes the file `name`, gone or removed, out of the eviction order. */
  forget(name: string): void {
    this.#recency.delete(name);
  }

  /** Evicts the files past `maxEntries`, at most `EVICTIONS_PER_WRITE` of them: the step after each write. */
  async evictOverflow(): Promise<void> {
    for (let tries = 0; tries < EVICTIONS_PER_WRITE; tries++) {
      const overflow = this.#recency.takeOverflow();
      if (overflow === undefined) break;
      await this.#evict(...overflow);
    }
  }

  /**
   * Removes the file `name`, taken out of the eviction order, under its lock so that no write of it
   * lands in between. A file whose expiry moved past `seenExpiry`, the one this process last saw, was
   * written or slid by another process sharing the folder: in use there, it is promoted instead.
   */
  async #evict(name: string, seenExpiry: number | undefined): Promise<void> {
    const file = join(this.#folder.path, name);
    await this.#folder.locks.hold(`${file}.lock`, async () => {
      // Used by this process while the lock was awaited: back in the order, not to be evicted.
      if (this.#recency.has(name)) return;
      const header = await readFileHeader(file);
      if (header === 'missing') return;
      if (header !== undefined && seenExpiry !== undefined && header.expiresAt > seenExpiry) {
        this.used(name, header.expiresAt);
        return;
      }
      await rm(file, { force: true });
      // An expired or broken file was dead already: removing it is no eviction.
      if (header !== undefined && header.expiresAt > this.#folder.clock()) this.#onEvict?.();
    });
  }
}
