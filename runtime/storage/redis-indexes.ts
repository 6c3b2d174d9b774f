import type { RedisClient } from './redis-client.js';
import {
  dropScript,
  inspectScript,
  invalidateIndexedScript,
  joinScript,
  listIndexScript,
  revokeIndexScript,
  writeFiledScript,
  writeIndexedScript,
} from './redis-index-scripts.js';
import { invalidateVersionScript, writeArguments } from './redis-scripts.js';
import type { IndexChange, IndexedEntry, IndexedWriteOptions, StorageIndexes } from './storage.js';
import { ttlMilliseconds } from './ttl.js';

/** What the index strategies share with `RedisStorage`: its client, its prefix and its bound on every command. */
export interface RedisIndexContext {
  readonly client: RedisClient;
  readonly prefix: string;
  readonly bounded: <T>(command: Promise<T>) => Promise<T>;
}

/**
 * How long a tombstone or a fence keeps a cluster's pending indexed write from landing after its
 * membership was dropped: far longer than the two steps of one write take (milliseconds). A write whose
 * first step took half of it is not continued.
 */
const FENCE_MS = 60_000;

/**
 * `RedisStorage`'s indexes on `client`: one step per call when every key the storage uses lives in one
 * hash slot (one server, or a cluster under a hash-tagged prefix), else the cluster steps.
 */
export function redisIndexes(context: RedisIndexContext): StorageIndexes {
  return context.client.isCluster === true && !hasHashTag(context.prefix) ? new ClusterIndexes(context) : new OneStepIndexes(context);
}

/**
 * Whether `key` has a Redis Cluster hash tag: text between its first `{` and the next `}` that is not empty,
 * which alone then decides its slot (Redis Cluster specification, "Hash tags").
 *
 * @example
 * hasHashTag('{app}:sess:'); // true
 * hasHashTag('sess:{}'); // false
 */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  return open !== -1 && key.indexOf('}', open + 1) > open + 1;
}

function indexKeyOf(prefix: string, index: string): string {
  return `${prefix}idx:${index}`;
}

/** Every step one script over the index and its members' entries: atomic, one round trip per call. */
class OneStepIndexes implements StorageIndexes {
  readonly #context: RedisIndexContext;

  constructor(context: RedisIndexContext) {
    this.#context = context;
  }

  async writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    const { client, prefix, bounded } = this.#context;
    const { args } = writeArguments(value, ttlSeconds, options);
    const keys = [prefix + key, indexKeyOf(prefix, change.join), ...(change.leave === undefined ? [] : [indexKeyOf(prefix, change.leave)])];
    return (await bounded(writeIndexedScript.run(client, keys, [...args, key, change.join]))) === 1;
  }

  async invalidateIndexed(key: string, index: string, ifVersion?: string): Promise<boolean> {
    const { client, prefix, bounded } = this.#context;
    return (await bounded(invalidateIndexedScript.run(client, [prefix + key, indexKeyOf(prefix, index)], [ifVersion ?? '', key]))) === 1;
  }

  async listIndex(index: string): Promise<IndexedEntry[]> {
    const { client, prefix, bounded } = this.#context;
    const rows = (await bounded(listIndexScript.run(client, [indexKeyOf(prefix, index)], [prefix]))) as [string, string, string, number][];
    return rows.map(([key, value, version, pttl]) => ({ key, value, version, ttlSeconds: pttl / 1000 }));
  }

  async revokeIndex(index: string, keep: readonly string[] = []): Promise<string[]> {
    const { client, prefix, bounded } = this.#context;
    return (await bounded(revokeIndexScript.run(client, [indexKeyOf(prefix, index)], [prefix, ...keep]))) as string[];
  }
}

/**
 * On a cluster, an index and its members' entries live in different slots, so no script sees them all and
 * each call takes steps, ordered so that no live entry is ever outside the index it is filed under:
 *
 * - A write first joins the index (its membership carries the write's new version as a token), then writes
 *   the entry, which records the index. A failed condition leaves a membership with no entry behind it, and
 *   a write that leaves an index leaves a stale membership there (the entry records another index): both
 *   are dead to the index, skipped and dropped by the next listing or revocation.
 * - A listing or revocation reads the memberships, then inspects each member's entry on its own slot, all
 *   at once. Before a membership is dropped as dead, the write that filed it is fenced off on the entry's
 *   slot (a `fence:<token>` field, on a tombstone when there is no entry), so a write still between its two
 *   steps cannot land after the drop. A revoked entry becomes a tombstone, so no write of it lands either.
 * - A delete deletes the entry; its membership is dead, and dropped the same way.
 *
 * docs/storage.md ("Indexes") states what this costs and which guarantee weakens.
 */
class ClusterIndexes implements StorageIndexes {
  readonly #context: RedisIndexContext;

  constructor(context: RedisIndexContext) {
    this.#context = context;
  }

  async writeIndexed(key: string, value: string, ttlSeconds: number, change: IndexChange, options: IndexedWriteOptions): Promise<boolean> {
    const { client, prefix, bounded } = this.#context;
    const { version, args } = writeArguments(value, ttlSeconds, options);
    const startedAt = Date.now();
    await bounded(joinScript.run(client, [indexKeyOf(prefix, change.join)], [key, version, ttlMilliseconds(options.maxSeconds)]));
    if (Date.now() - startedAt > FENCE_MS / 2) {
      throw new Error(`RedisStorage: joining the index took over ${FENCE_MS / 2} ms; the write was not sent, since a fence may no longer hold it off`);
    }
    return (await bounded(writeFiledScript.run(client, [prefix + key], [...args, change.join]))) === 1;
  }

  async invalidateIndexed(key: string, _index: string, ifVersion?: string): Promise<boolean> {
    const { client, prefix, bounded } = this.#context;
    if (ifVersion === undefined) {
      await bounded(client.del(prefix + key));
      return true;
    }
    return (await bounded(invalidateVersionScript.run(client, [prefix + key], [ifVersion]))) === 1;
  }

  async listIndex(index: string): Promise<IndexedEntry[]> {
    const found = await this.#inspect(index, 'list', []);
    return found.flatMap(({ key, result }) => {
      if (!Array.isArray(result)) return [];
      const [value, version, pttl] = result as [string, string, number];
      return [{ key, value, version, ttlSeconds: pttl / 1000 }];
    });
  }

  async revokeIndex(index: string, keep: readonly string[] = []): Promise<string[]> {
    const found = await this.#inspect(index, 'revoke', keep);
    return found.filter(({ result }) => result === 1).map(({ key }) => key);
  }

  /** Inspects every member of `index` not in `keep` (`INSPECT`), then drops the memberships found dead. */
  async #inspect(index: string, mode: 'list' | 'revoke', keep: readonly string[]): Promise<{ key: string; result: unknown }[]> {
    const { client, prefix, bounded } = this.#context;
    const indexKey = indexKeyOf(prefix, index);
    const kept = new Set(keep);
    const members = Object.entries(await bounded(client.hgetall(indexKey))).filter(([key]) => !kept.has(key));
    const found = await Promise.all(
      members.map(async ([key, token]) => ({ key, token, result: await bounded(inspectScript.run(client, [prefix + key], [index, token, mode, FENCE_MS])) })),
    );
    const dead = found.filter(({ result }) => result === 0 || result === 1);
    if (dead.length > 0) await bounded(dropScript.run(client, [indexKey], dead.flatMap(({ key, token }) => [key, token])));
    return found;
  }
}
