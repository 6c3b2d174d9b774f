/**
 * What every benchmark server serves, whatever keeps its session: the same two routes and the same payload.
 *
 *   POST /login?user=ID -> 204, and a session { userId: ID, count: 0 } (the load generator logs in many users)
 *   GET  /counter       -> { count }: read the session, add one, write it back; 401 without a session
 *
 * Each variant says only how it reaches its session (a `SessionAccess`); the routes are one piece of code,
 * so no variant does more or less work around its session than another.
 */
import type Koa from 'koa';

/** What every variant's server is given: the one key of the run (base64url of 32 bytes), and its Redis server. */
export interface BenchConfig {
  readonly key: string;
  readonly redisUrl: string;
}

export interface VariantServer {
  readonly app: Koa;
  /** Closes what the app holds besides its HTTP server (Redis clients). */
  close(): Promise<void>;
}

export type Build = (config: BenchConfig) => Promise<VariantServer>;

/** What every benchmark session holds, in every variant (bench/app/sessions.yaml's `Counter`). */
export interface Counter {
  readonly userId: string;
  readonly count: number;
}

/** How a variant reaches its session within one request. */
export interface SessionAccess<Context> {
  /** Starts a session for `userId`, with a count of 0. */
  login(ctx: Context, userId: string): void;
  read(ctx: Context): Counter | undefined;
  write(ctx: Context, value: Counter): void;
}

/** What GET /counter does with the session. */
export type Use = 'read+write' | 'read' | 'nothing';

/** The longest user id a login takes: the bench spec's `userId` schema. */
const MAX_USER_ID = 64;

/**
 * The two routes over `session`. `nothing`: GET /counter answers without touching the session (only
 * /login uses `session`).
 *
 * @example app.use(counterRoutes(access, 'read+write'));
 */
export function counterRoutes<Context extends Koa.ParameterizedContext>(session: SessionAccess<Context>, use: Use): (ctx: Context) => void {
  return function counter(ctx) {
    if (ctx.method === 'POST' && ctx.path === '/login') {
      const user = ctx.query.user;
      if (typeof user !== 'string' || user === '' || user.length > MAX_USER_ID) return void (ctx.status = 400);
      session.login(ctx, user);
      ctx.status = 204;
      return;
    }
    if (use === 'nothing') return void (ctx.body = { count: 1 });
    const current = session.read(ctx);
    if (current === undefined) return void (ctx.status = 401);
    if (use === 'read') return void (ctx.body = { count: current.count });
    const count = current.count + 1;
    session.write(ctx, { userId: current.userId, count });
    ctx.body = { count };
  };
}

/** A server with no session: /login sends `loginCookie` (if any) and nothing reads it. */
export function noSession(loginCookie?: string): SessionAccess<Koa.ParameterizedContext> {
  return {
    login(ctx) {
      if (loginCookie !== undefined) ctx.append('Set-Cookie', loginCookie);
    },
    read: () => undefined,
    write: () => undefined,
  };
}
