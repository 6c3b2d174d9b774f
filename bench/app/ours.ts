/**
 * typed-sessions, as an app installs it: the runtime's `typed-sessions` entries and the module the installed
 * CLI generated from bench/app/sessions.yaml. Every server of ours installs the whole spec and uses one session.
 */
import Koa from 'koa';
import type { Sessions } from 'typed-sessions';
import { RedisStorage } from 'typed-sessions/redis';
import { installSessions, type ByIdSessionName, type SessionMap } from './generated/index.js';
import { counterRoutes, type Build, type Use } from './routes.js';

type BenchContext = Koa.ParameterizedContext<Koa.DefaultState, { sessions: Sessions<SessionMap, ByIdSessionName> }>;

/** @example ours('encrypted', 'read+write') */
export function ours(sessionName: keyof SessionMap, use: Use): Build {
  return async function build(config) {
    // Every server of ours needs the spec's Redis storage to start; only the Redis sessions' requests reach it.
    const redis = new RedisStorage(config.redisUrl, { prefix: 'bench:' });
    await redis.ready();
    const app = new Koa<Koa.DefaultState, BenchContext>();
    app.use(installSessions({ keys: { bench: config.key }, storages: { redis } }));
    app.use(
      counterRoutes<BenchContext>(
        {
          login: (ctx, userId) => ctx.sessions.set(sessionName, { userId, count: 0 }),
          read: (ctx) => ctx.sessions.get(sessionName),
          write: (ctx, value) => ctx.sessions.set(sessionName, value),
        },
        use,
      ),
    );
    return { app: app as unknown as Koa, close: () => redis.close() };
  };
}
