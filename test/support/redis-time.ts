import type { Redis } from 'ioredis';

/**
 * Moves Redis's time forward by `ms` for every key it holds, by shortening each key's TTL; a key whose
 * TTL runs out is deleted at once (PEXPIRE with a non-positive time). Redis has no clock to fake, and
 * this keeps expiry tests from sleeping. Fails on a key without a TTL: no session key may live forever
 * (security.md #52).
 *
 * @example
 * await advanceRedisTime(cluster.nodes('master'), 10_000);
 */
export async function advanceRedisTime(nodes: readonly Redis[], ms: number): Promise<void> {
  for (const node of nodes) {
    for (const key of await node.keys('*')) {
      const ttl = await node.pttl(key);
      if (ttl === -1) throw new Error(`key ${JSON.stringify(key)} has no TTL`);
      if (ttl >= 0) await node.pexpire(key, ttl - ms);
    }
  }
}
