import { createRequire } from 'node:module';
import type { RedisOptions } from 'ioredis';
import type { RedisStorageDefinition } from '../definition.js';
import { SessionConfigError, SessionStorageError } from '../errors.js';
import { checkMilliseconds } from './option-checks.js';
import type { RedisClient } from './redis-client.js';
import { hasHashTag, redisIndexes } from './redis-indexes.js';
import { invalidateVersionScript, lockScript, readScript, renewLockScript, unlockScript, writeArguments, writeScript } from './redis-scripts.js';
import type { StorageBuilder } from './storage-builder.js';
import type { IndexChange, IndexedEntry, IndexedWriteOptions, Storage, StorageIndexes, StorageLocks, StoredEntry, WriteOptions } from './storage.js';
import { touchAfterMilliseconds, ttlMilliseconds } from './ttl.js';

export interface RedisStorageOptions {
  /** Put before every key, so sessions keep to their own part of a shared Redis. Default `"sess:"`. */
  readonly prefix?: string;
  /** Milliseconds a command may take before it fails. Only for a client built from a URL. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Milliseconds a connection attempt may take. Only for a client built from a URL. Default 2000. */
  readonly connectTimeoutMs?: number;
}

const DEFAULT_PREFIX = 'sess:';
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_READY_TIMEOUT_MS = 5000;
/** Longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Sessions in Redis: `kind: redis` in sessions.yaml. Shared by every process of an app, so it scales out
 * past one machine; works with a single server or a Redis Cluster (each session is one key).
 *
 * Each session is one hash under `prefix + key` (`value`, `version`, `deadline`), and every operation is
 * one single-key Lua script (see redis-scripts.ts), atomic and one round trip:
 * - the hash and its TTL are set by the same script, so no key is ever seen without a TTL (#52);
 * - creation checks the key is absent (`SET NX` semantics) and an update that its version is the one
 *   read, so a collision never overwrites and a cleared session is never brought back (#44, #49, #50);
 * - a sliding read is `PEXPIRE`, capped at the deadline, never a rewrite of the value (#51), and none at
 *   all when it would move the expiry by less than `touchAfterSeconds`; a slide that would leave no time
 *   deletes the key.
 *
 * Given a URL, the storage builds a client that fails fast rather than queueing (security.md #45, #47,
 * #48): no offline queue, no retries, a command timeout, and no resending of commands that were in
 * flight when a connection dropped, so a write already reported as failed is not applied later.
 * It reconnects forever with a capped back-off, so the app recovers after a Redis restart.
 * Given a client, it uses that client as configured; give it these options too.
 *
 * @example
 * const storage = new RedisStorage(process.env.REDIS_URL!, { prefix: 'myapp:sess:' });
 * await storage.ready();
 * app.use(installSessions({ storages: { redis: storage } }));
 */
export class RedisStorage implements Storage, StorageLocks, StorageIndexes {
  readonly #client: RedisClient;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #indexes: StorageIndexes;
  /**
   * Whether a read that does not slide may be a plain `HMGET`: cheaper for Redis than a script and as atomic,
   * but ioredis sends read-only commands to replicas on a `Cluster` with `scaleReads` other than `master`, and
   * a replica lags behind a logout or a revocation. Scripts always run on the master.
   */
  readonly #plainReads: boolean;

  constructor(connection: RedisClient | string, options: RedisStorageOptions = {}) {
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    if (typeof prefix !== 'string') throw new SessionConfigError(`RedisStorage: prefix must be a string, not ${typeof prefix}`);
    this.#prefix = prefix;
    this.#ownsClient = typeof connection === 'string';
    this.#client = typeof connection === 'string' ? new (loadIoredis().Redis)(connection, failFastOptions(options)) : connection;
    if (this.#ownsClient) {
      // Connection errors reach the runtime as failed commands, which it reports as `store_unavailable`;
      // without a listener ioredis would also print each one of them on every reconnection attempt.
      this.#client.on('error', () => undefined);
    }
    const scaleReads = (this.#client.options as { readonly scaleReads?: unknown } | undefined)?.scaleReads ?? 'master';
    this.#plainReads = typeof this.#client.hmget === 'function' && (this.#client.isCluster !== true || scaleReads === 'master');
    this.#indexes = redisIndexes({ client: this.#client, prefix, bounded: (command) => this.#bounded(command) });
  }

  async read(key: string, slideSeconds?: number, touchAfterSeconds?: number): Promise<StoredEntry | undefined> {
    const entryKey = this.#prefix + key;
    const entry =
      slideSeconds === undefined && this.#plainReads
        ? await this.#bounded(this.#client.hmget!(entryKey, 'value', 'version'))
        : ((await this.#bounded(readScript.run(this.#client, [entryKey], readArguments(slideSeconds, touchAfterSeconds)))) as [string, string] | null);
    const [value, version] = entry ?? [];
    return value == null || version == null ? undefined : { value, version };
  }

  async write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    const { args } = writeArguments(value, ttlSeconds, options);
    return (await this.#bounded(writeScript.run(this.#client, [this.#prefix + key], args))) === 1;
  }

  async invalidate(key: string, ifVersion?: string): Promise<boolean> {
    if (ifVersion === undefined) {
      await this.#bounded(this.#client.del(this.#prefix + key));
      return true;
    }
    return (await this.#bounded(invalidateVersionScript.run(this.#client, [this.#prefix + key], [ifVersion]))) === 1;
  }

  writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    return this.#indexes.writeIndexed(key, value, ttlSeconds, change, options);
  }

  invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    return this.#indexes.invalidateIndexed(key, index, ifVersion);
  }

  listIndex(index: string): Promise<IndexedEntry[]> {
    return this.#indexes.listIndex(index);
  }

  revokeIndex(index: string, keep?: readonly string[]): Promise<string[]> {
    return this.#indexes.revokeIndex(index, keep);
  }

  async lock(key: string, token: string, holdMs: number): Promise<boolean> {
    return (await this.#bounded(lockScript.run(this.#client, [lockKeyOf(this.#prefix + key)], [token, Math.ceil(holdMs)]))) === 1;
  }

  async renewLock(key: string, token: string, holdMs: number): Promise<boolean> {
    return (await this.#bounded(renewLockScript.run(this.#client, [lockKeyOf(this.#prefix + key)], [token, Math.ceil(holdMs)]))) === 1;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.#bounded(unlockScript.run(this.#client, [lockKeyOf(this.#prefix + key)], [token]));
  }

  /**
   * A timed-out command stays in the client's queue until its reply comes, and on a silent network no
   * reply ever does, so every request would add one more (security.md #47). On the first timeout, a client
   * this storage owns drops the connection: the queue is failed and emptied, and until the reconnection
   * is ready, commands fail at once instead of queueing (no offline queue).
   */
  async #bounded<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      if (this.#ownsClient && error instanceof Error && error.message === 'Command timed out' && this.#client.status === 'ready') {
        this.#client.disconnect(true);
      }
      throw error;
    }
  }

  /**
   * Resolves once the client can take commands. Commands fail fast while it cannot, including in the
   * first milliseconds after construction; await this before serving to start with a working storage.
   *
   * @example
   * await storage.ready(2000); // throws SessionStorageError if Redis is unreachable for 2 s
   */
  ready(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    const client = this.#client;
    if (client.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      let lastError: unknown;
      const onError = (error: unknown) => {
        lastError = error;
      };
      const onReady = () => {
        stop();
        resolve();
      };
      const timer = setTimeout(() => {
        stop();
        const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
        reject(new SessionStorageError('redis', `not ready after ${timeoutMs} ms${reason}`, { cause: lastError }));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
      };
      client.on('ready', onReady);
      client.on('error', onError);
    });
  }

  /**
   * Closes the client this storage built from a URL; a client the app passed in stays open, since the
   * app owns it. Falls back to dropping the connection when Redis cannot take a `QUIT`.
   *
   * @example
   * process.once('SIGTERM', () => void storage.close());
   */
  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    const client = this.#client;
    await client.quit().catch(() => client.disconnect());
  }
}

/**
 * The key of the lock on the entry under `entryKey`, in the entry's Redis Cluster hash slot, so a session
 * depends on one node, not two. The slot comes from the key's hash tag, the text between its first `{`
 * and the next `}` when that is not empty, else from the whole key (Redis Cluster specification, "Hash
 * tags"): a key with a tag keeps it when `:lock` is appended, one without is wrapped whole in braces. A key
 * with a `}` but no tag (only a prefix can hold one) cannot be wrapped, and its lock may live on another
 * node; nothing depends on the two sharing a node, since no script touches both.
 *
 * @example
 * lockKeyOf('sess:abc'); // '{sess:abc}:lock'
 * lockKeyOf('{app}:sess:abc'); // '{app}:sess:abc:lock'
 */
function lockKeyOf(entryKey: string): string {
  return hasHashTag(entryKey) || entryKey.includes('}') ? `${entryKey}:lock` : `{${entryKey}}:lock`;
}

/**
 * `kind: redis` in sessions.yaml: a storage on a client of its own, built from the URL in the environment
 * variable the spec names. Generated code passes it as `layers.redis`.
 *
 * @example
 * buildRedisStorage('cache', { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' }, setup);
 */
export const buildRedisStorage: StorageBuilder<RedisStorageDefinition> = (name, declared, { env }) => {
  const variable = declared.url.env;
  const url = env[variable];
  if (url === undefined || url === '') {
    throw new SessionConfigError(
      `storage "${name}" is kind redis and reads its URL from the environment variable ${variable}, which is not set; set it (e.g. ${variable}=redis://127.0.0.1:6379) or pass a client via installSessions({ storages: { ${name}: new RedisStorage(client) } })`,
    );
  }
  return new RedisStorage(url, { prefix: declared.prefix });
};

/**
 * ioredis, an optional peer dependency, loaded when a client is first built from a URL rather than when
 * this module is: an app on other storages need not install it, and an app that passes its own client
 * loads it itself. Required, not imported, because the constructor that needs it is synchronous.
 */
function loadIoredis(): typeof import('ioredis') {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('ioredis');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new SessionConfigError(
      'a Redis storage built from a URL needs the package ioredis, an optional peer dependency of typed-sessions, which is not installed; install it (npm install ioredis), or pass a client of your own: new RedisStorage(client)',
      { cause: error },
    );
  }
  return require('ioredis') as typeof import('ioredis');
}

/** The read script's ARGV: slide ms, or '' to read without sliding; touch-after ms. */
function readArguments(slideSeconds: number | undefined, touchAfterSeconds: number | undefined): (string | number)[] {
  return [slideSeconds === undefined ? '' : ttlMilliseconds(slideSeconds), touchAfterMilliseconds(touchAfterSeconds)];
}

function failFastOptions(options: RedisStorageOptions): RedisOptions {
  return {
    enableOfflineQueue: false,
    // No auto-pipelining: under 50 concurrent requests it cost the server more CPU per request (a pipeline
    // per tick) than the system calls it saved, and left it waiting on Redis (docs/benchmarks.md).
    // Nothing is resent after a reconnect (below), so a retry budget only delays failure: with 0, commands in
    // flight when a connection drops fail at once. With more, ioredis leaves them pending until the timeout.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: checkMilliseconds('RedisStorage', 'commandTimeoutMs', options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS),
    connectTimeout: checkMilliseconds('RedisStorage', 'connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
  };
}
