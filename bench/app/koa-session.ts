/** koa-session, configured as its README shows, with the bench spec's lifetime (its default, one day). */
import { Redis } from 'ioredis';
import Koa from 'koa';
import session from 'koa-session';
import { mapStore, ONE_DAY_MS, redisStore } from './koa-session-stores.js';
import { counterRoutes, type Build, type Counter } from './routes.js';

/** @example koaSession('redis') */
export function koaSession(store: 'cookie' | 'map' | 'redis'): Build {
  return async function build(config) {
    const app = new Koa();
    app.keys = [config.key];
    const client = store === 'redis' ? new Redis(config.redisUrl) : undefined;
    const external = client !== undefined ? { store: redisStore(client), prefix: 'koa-sess:' } : store === 'map' ? { store: mapStore() } : {};
    app.use(session({ maxAge: ONE_DAY_MS, sameSite: 'lax', ...external }, app));
    app.use(
      counterRoutes<Koa.ParameterizedContext>(
        {
          login(ctx, userId) {
            ctx.session = { userId, count: 0 };
          },
          read(ctx) {
            const current = ctx.session;
            return current !== null && typeof current.count === 'number' ? (current as unknown as Counter) : undefined;
          },
          // As a koa-session app changes its session: in place, which koa-session notices and writes back.
          write(ctx, value) {
            ctx.session!.count = value.count;
          },
        },
        'read+write',
      ),
    );
    return { app, close: async () => void (await client?.quit()) };
  };
}
