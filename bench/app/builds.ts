/**
 * How each variant's server is built, by name (bench/variants.ts lists them with their labels, in report
 * order). Each imports only its own modules, as an app using that library alone would: bare Koa's server
 * never loads ioredis, so no variant's heap carries another's.
 */
import type { VariantName } from '../variants.js';
import type { Build } from './routes.js';

const floors = () => import('./floors.js');
const ours = async (...args: Parameters<typeof import('./ours.js').ours>) => (await import('./ours.js')).ours(...args);
const koaSession = async (store: 'cookie' | 'map' | 'redis') => (await import('./koa-session.js')).koaSession(store);

export const BUILDS: Readonly<Record<VariantName, () => Promise<Build>>> = {
  koa: async () => (await floors()).bare,
  'koa-headers': async () => (await floors()).headerFloor,
  'floor-aes': async () => (await floors()).aesGcmFloor('read+write'),
  'floor-aes-read': async () => (await floors()).aesGcmFloor('read'),
  encrypted: () => ours('encrypted', 'read+write'),
  'encrypted-read': () => ours('encrypted', 'read'),
  'koa-cookie': async () => (await floors()).cookieCarrying,
  untouched: () => ours('encrypted', 'nothing'),
  signed: () => ours('signed', 'read+write'),
  'by-id-memory': () => ours('in_memory', 'read+write'),
  'by-id-redis': () => ours('in_redis', 'read+write'),
  'by-id-redis-indexed': () => ours('in_redis_indexed', 'read+write'),
  'koa-session': () => koaSession('cookie'),
  'koa-session-memory': () => koaSession('map'),
  'koa-session-redis': () => koaSession('redis'),
};
