import type { RuntimeEvent, StorageOperation } from '../events.js';
import { SessionStorageError } from '../errors.js';
import { DeadlineQueue } from './deadline-queue.js';
import { hasIndexes, type IndexChange, type IndexedEntry, type IndexedWriteOptions, type Storage, type StorageIndexes, type StoredEntry, type WriteOptions } from './storage.js';

/**
 * A session's storage with a timeout on every call: a call that rejects, throws or outlives `timeout`
 * milliseconds becomes one `store_unavailable` event and a `SessionStorageError`, which the middleware
 * answers with 503 and `Retry-After` (security.md #45, #47). A hung call is abandoned,
 * not awaited: the request never hangs on it.
 */
export class TimedStorage {
  readonly #deadlines: DeadlineQueue;

  constructor(
    readonly session: string,
    readonly storageName: string,
    readonly storage: Storage,
    readonly timeout: number,
    readonly emit: (event: RuntimeEvent) => void,
  ) {
    this.#deadlines = new DeadlineQueue(timeout);
  }

  read(key: string, slideSeconds?: number, touchAfterSeconds?: number): Promise<StoredEntry | undefined> {
    return this.bound('read', () => this.storage.read(key, slideSeconds, touchAfterSeconds));
  }

  write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    return this.bound('write', () => this.storage.write(key, value, ttlSeconds, options));
  }

  invalidate(key: string, ifVersion?: string): Promise<boolean> {
    return this.bound('invalidate', () => this.storage.invalidate(key, ifVersion));
  }

  /** `write`, filing the entry as `change` says in the same step (runtime/storage/storage.ts, `StorageIndexes`). */
  writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    return this.bound('write', () => this.#indexes().writeIndexed(key, value, ttlSeconds, change, options));
  }

  /** `invalidate`, the entry leaving `index` in the same step. */
  invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    return this.bound('invalidate', () => this.#indexes().invalidateIndexed(key, index, ifVersion));
  }

  listIndex(index: string): Promise<IndexedEntry[]> {
    return this.bound('read', () => this.#indexes().listIndex(index));
  }

  revokeIndex(index: string, keep?: readonly string[]): Promise<string[]> {
    return this.bound('invalidate', () => this.#indexes().revokeIndex(index, keep));
  }

  /** Startup has checked that an indexed session's storage keeps indexes (runtime/pipeline-parts.ts). */
  #indexes(): Storage & StorageIndexes {
    if (!hasIndexes(this.storage)) throw new TypeError(`storage "${this.storageName}" keeps no indexes`);
    return this.storage;
  }

  /**
   * `run`, a call to the storage, under the same bound and reporting: the locks of `concurrency: serialize`
   * use it too. The deadlines of all of this storage's calls share one timer (runtime/storage/deadline-queue.ts).
   */
  bound<T>(operation: StorageOperation, run: () => Promise<T>): Promise<T> {
    if (this.storage.inProcess === true) return this.#inProcess(operation, run);
    return new Promise<T>((resolve, reject) => {
      const fail = (error: unknown) => reject(this.#unavailable(operation, error));
      const deadline = this.#deadlines.start(() => fail(new Error(`timed out after ${this.timeout} ms`)));
      let running: Promise<T>;
      try {
        running = run();
      } catch (error) {
        if (deadline.settle()) fail(error);
        return;
      }
      // A call that answers after its timeout has been reported already, once.
      // `Promise.resolve`: a storage method that answers with a plain value (not `async`) is still an answer.
      Promise.resolve(running).then(
        (value) => void (deadline.settle() && resolve(value)),
        (error: unknown) => void (deadline.settle() && fail(error)),
      );
    });
  }

  /** A call to a storage that cannot hang (`Storage.inProcess`): no deadline, the same reporting. */
  async #inProcess<T>(operation: StorageOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#unavailable(operation, error);
    }
  }

  /** One `store_unavailable` event, and the error the middleware answers with 503. */
  #unavailable(operation: StorageOperation, error: unknown): SessionStorageError {
    const message = error instanceof Error ? error.message : String(error);
    this.emit({ type: 'store_unavailable', session: this.session, storage: this.storageName, operation, error: message });
    return new SessionStorageError(this.storageName, `${operation} failed: ${message}`, { cause: error });
  }
}
