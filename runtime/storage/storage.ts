/**
 * Where sessions tracked by id keep their data (Ktor's `SessionStorage`). Keys are never raw session ids:
 * the runtime passes `storageKeyForId(id)`, a SHA-256 of the id (checklist #42), so an implementation
 * can log or scan its keys freely. Values are the runtime's envelope text, opaque to the storage.
 *
 * Every method may reject or hang; the runtime bounds each call with `storageTimeout` and answers 503.
 *
 * @example
 * const storages = { redis: myRedisStorage } satisfies Record<string, Storage>;
 * app.use(installSessions({ storages }));
 */
export interface Storage {
  /** The value stored under `key`, or `undefined` when there is none or it has expired. */
  read(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlSeconds` (always at least 1), replacing what was there. */
  write(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Deletes `key`; deleting a missing key succeeds. */
  invalidate(key: string): Promise<void>;
  /**
   * Extends the life of an existing `key` to `ttlSeconds` from now without rewriting its value; does
   * nothing when the key is gone. Without it, the runtime rewrites the value it read to slide the TTL.
   */
  touch?(key: string, ttlSeconds: number): Promise<void>;
}
