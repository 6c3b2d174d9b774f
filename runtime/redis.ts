/**
 * `typed-sessions/redis`: sessions in Redis. Loading this entry does not load `ioredis`, an optional peer
 * dependency: that happens when a storage builds its own client from a URL.
 */

// The storage, on a client of the app's or one it builds from a URL.
export { RedisStorage, type RedisStorageOptions } from './storage/redis.js';
export type { RedisClient } from './storage/redis-client.js';

// What generated code passes as `layers.redis` for a spec with a `kind: redis` storage.
export { buildRedisStorage } from './storage/redis.js';
