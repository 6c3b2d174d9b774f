import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, opendir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { SessionConfigError } from '../errors.js';
import type { Storage } from './storage.js';
import { ttlMilliseconds } from './ttl.js';

export interface DirectoryStorageOptions {
  /** Folder holding one file per session; created with mode 0o700 on the first write. */
  readonly path: string;
  /** Epoch milliseconds; the middleware passes its own clock so tests can move time. */
  readonly clock?: Clock;
  /** Milliseconds between background sweeps of expired files, each started by a write. Default 10 minutes. */
  readonly sweepIntervalMs?: number;
}

/**
 * Every file starts with its expiry, epoch milliseconds as 16 zero-padded digits and a newline. The fixed
 * width lets `touch` rewrite the stamp in place without touching the value.
 */
const STAMP_DIGITS = 16;
const STAMP_LENGTH = STAMP_DIGITS + 1;
const STAMP = /^(\d{16})\n/;

/** Names this storage creates; `sweep` never removes anything else, even in a folder shared by mistake. */
const SESSION_FILE = /^[0-9a-f]{64}$/;
const TEMP_FILE = /^[0-9a-f]{64}\.[0-9a-f]{16}\.tmp$/;

/** A temporary file older than this was left by a crashed write: a live write renames its file within milliseconds. */
const STALE_TEMP_MS = 60_000;
const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Sessions as files in one folder: `kind: directory` in sessions.yaml (Ktor's `directorySessionStorage`).
 * Survives restarts and is shared by processes on one machine.
 *
 * - A file's name is the SHA-256 (hex) of its key, so any key string, `../../etc/passwd` included, maps
 *   to a fixed-length name inside the folder.
 * - Writes go to a temporary file in the same folder, then `rename` over the old one: a reader sees the
 *   old value or the new one, never a torn file (rename is atomic within one file system, POSIX).
 * - The expiry lives in the file and is enforced on every read, so a stale file is never served; an
 *   expired file is removed when read and by `sweep()`, which a write also starts in the background
 *   once `sweepIntervalMs` has passed since the last one.
 * - Files are written without fsync: after a power loss a session may be lost, never served corrupt
 *   (a file without a valid stamp reads as missing).
 *
 * @example
 * app.use(installSessions({ storages: { files: new DirectoryStorage({ path: '.sessions' }) } }));
 */
export class DirectoryStorage implements Storage {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #sweepIntervalMs: number;
  #nextSweepAt: number;

  constructor(options: DirectoryStorageOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new SessionConfigError('DirectoryStorage: path must name a folder, for example ".sessions"');
    }
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval <= 0) {
      throw new SessionConfigError(`DirectoryStorage: sweepIntervalMs must be a positive number of milliseconds, not ${interval}`);
    }
    this.#path = options.path;
    this.#clock = options.clock ?? systemClock;
    this.#sweepIntervalMs = interval;
    this.#nextSweepAt = this.#clock() + interval;
  }

  async read(key: string): Promise<string | undefined> {
    const file = this.#fileFor(key);
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const expiresAt = parseStamp(content);
    if (expiresAt !== undefined && expiresAt > this.#clock()) return content.slice(STAMP_LENGTH);
    await rm(file, { force: true });
    return undefined;
  }

  async write(key: string, value: string, ttlSeconds: number): Promise<void> {
    const content = formatStamp(this.#clock() + ttlMilliseconds(ttlSeconds)) + value;
    const file = this.#fileFor(key);
    const temp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
    // Every time, not once: a folder removed under a running app (a cleanup job) comes back. It costs one syscall.
    await mkdir(this.#path, { recursive: true, mode: 0o700 });
    try {
      await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    this.#sweepWhenDue();
  }

  async invalidate(key: string): Promise<void> {
    await rm(this.#fileFor(key), { force: true });
  }

  /**
   * Rewrites the stamp in place through an open handle. Unlike reading the value and writing it back,
   * this cannot bring back a session that `invalidate` removed meanwhile: the handle then points at
   * the unlinked file (checklist #50).
   */
  async touch(key: string, ttlSeconds: number): Promise<void> {
    const expiresAt = this.#clock() + ttlMilliseconds(ttlSeconds);
    let handle: FileHandle;
    try {
      handle = await open(this.#fileFor(key), 'r+');
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    try {
      const current = await readStamp(handle);
      // An expired session stays dead: touching it must not revive it.
      if (current === undefined || current <= this.#clock()) return;
      await handle.write(formatStamp(expiresAt), 0, 'latin1');
    } finally {
      await handle.close();
    }
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
    const now = this.#clock();
    let removed = 0;
    try {
      for await (const entry of await opendir(this.#path)) {
        if (!entry.isFile()) continue;
        const file = join(this.#path, entry.name);
        const remove = SESSION_FILE.test(entry.name)
          ? await isExpired(file, now)
          : TEMP_FILE.test(entry.name) && (await isStaleTemp(file, now));
        if (remove) {
          await rm(file, { force: true });
          removed++;
        }
      }
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    return removed;
  }

  #sweepWhenDue(): void {
    const now = this.#clock();
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + this.#sweepIntervalMs;
    // A failed background sweep only delays cleanup: reads enforce expiry anyway, and the next sweep retries.
    this.sweep().catch(() => undefined);
  }

  #fileFor(key: string): string {
    return join(this.#path, createHash('sha256').update(key, 'utf8').digest('hex'));
  }
}

function formatStamp(expiresAt: number): string {
  const digits = String(expiresAt);
  if (!Number.isSafeInteger(expiresAt) || digits.length > STAMP_DIGITS) {
    throw new RangeError(`DirectoryStorage: expiry ${expiresAt} does not fit a ${STAMP_DIGITS}-digit stamp; use a shorter TTL`);
  }
  return `${digits.padStart(STAMP_DIGITS, '0')}\n`;
}

/** The expiry at the start of `content`, or `undefined` when the file is not one this storage wrote whole. */
function parseStamp(content: string): number | undefined {
  const match = STAMP.exec(content);
  return match === null ? undefined : Number(match[1]);
}

async function readStamp(handle: FileHandle): Promise<number | undefined> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(STAMP_LENGTH), 0, STAMP_LENGTH, 0);
  return parseStamp(buffer.toString('latin1', 0, bytesRead));
}

/** A file without a valid stamp counts as expired: it cannot be served, so it is only clutter. */
async function isExpired(file: string, now: number): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  try {
    const expiresAt = await readStamp(handle);
    return expiresAt === undefined || expiresAt <= now;
  } finally {
    await handle.close();
  }
}

async function isStaleTemp(file: string, now: number): Promise<boolean> {
  try {
    return (await stat(file)).mtimeMs < now - STALE_TEMP_MS;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
