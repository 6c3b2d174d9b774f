/**
 * test/runtime/schema-evolution.test.ts's by-id cases on a real Redis: the entry written by spec v1's app is
 * rewritten under v2 by the version-checked write, and two app instances on one Redis race to rewrite it.
 */
import { generateKey, RedisStorage } from 'typed-sessions';
import { describeStoredMigration } from '../runtime/schema-evolution-by-id.js';
import { deploysForSuite } from '../runtime/schema-evolution.js';
import { describeRedis, redisForSuite } from '../support/redis-server.js';

describeRedis('payload versions by id in Redis', () => {
  const redis = redisForSuite();
  const deploys = deploysForSuite('schema-evolution-redis-');

  describeStoredMigration(
    'Redis',
    () => {
      const storage = new RedisStorage(redis.client);
      return { storage, read: (key) => storage.read(key).then((entry) => entry?.value) };
    },
    deploys,
    generateKey(),
  );
});
