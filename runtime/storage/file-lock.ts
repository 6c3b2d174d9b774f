import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A lock held by a process that crashed while holding it is broken after this long. Holders keep a lock
 * for one read, one small write and one rename: milliseconds.
 */
const STALE_LOCK_MS = 10_000;
/** Waiting longer than this for another process's lock fails the call; the runtime's storage timeout fires well before. */
const MAX_WAIT_MS = 5_000;

/**
 * Mutual exclusion per lock file, so that a check and the write that depends on it happen as one step.
 * Within this process, callers queue for a path in order (no polling, no starvation under a burst);
 * across processes sharing the folder, the holder creates the lock file exclusively (`O_CREAT | O_EXCL`)
 * and others poll for it every few milliseconds. A lock file older than `STALE_LOCK_MS` was left by a
 * crash and is removed.
 *
 * @example
 * const locks = new FileLocks();
 * const replaced = await locks.hold(`${file}.lock`, async () => checkThenRename());
 */
export class FileLocks {
  /** The tail of each path's queue in this process. */
  readonly #queues = new Map<string, Promise<void>>();

  async hold<T>(lockFile: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(lockFile);
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#queues.set(lockFile, turn);
    try {
      if (previous !== undefined) await previous;
      return await holdFile(lockFile, run);
    } finally {
      release();
      if (this.#queues.get(lockFile) === turn) this.#queues.delete(lockFile);
    }
  }
}

async function holdFile<T>(lockFile: string, run: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + MAX_WAIT_MS;
  while (!(await tryLock(lockFile))) {
    if (Date.now() > giveUpAt) throw new Error(`lock ${lockFile} still held after ${MAX_WAIT_MS} ms`);
    if (await isStale(lockFile)) await rm(lockFile, { force: true });
    // Jittered, so processes that woke together do not collide again in step.
    else await sleep(1 + Math.random() * 4);
  }
  try {
    return await run();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function tryLock(lockFile: string): Promise<boolean> {
  try {
    await (await open(lockFile, 'wx', 0o600)).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function isStale(lockFile: string): Promise<boolean> {
  try {
    return (await stat(lockFile)).mtimeMs < Date.now() - STALE_LOCK_MS;
  } catch (error) {
    // Released between the failed create and this look: not stale, just free.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
