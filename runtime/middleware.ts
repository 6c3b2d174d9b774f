import { Readable } from 'node:stream';
import type { Context, Middleware, Next } from 'koa';
import { SessionBusyError, SessionHttpError, SessionStorageError } from './errors.js';
import { install, type InstallOptions } from './install.js';
import { RequestSessions } from './request-sessions.js';
import type { Sessions } from './sessions.js';
import { epochSeconds } from './clock.js';
import type { SessionAdmin } from './session-admin.js';
import type { SpecDefinition } from './spec-definition.js';

/**
 * The middleware, and the admin side of its indexed sessions by name (runtime/session-admin.ts): the same
 * storages the middleware uses, so an in-memory index is the app's own.
 */
/** The admin side by session name, untyped: generated code passes its own `SessionsAdmin`. */
export type AdminMap = Readonly<Record<string, SessionAdmin | RevocationAdmin>>;

export type SessionsMiddleware<A = AdminMap> = Middleware & { readonly admin: A };

/** The admin side of a by-value session with `revocation:`: its cookies cannot be listed, only all ended. */
export interface RevocationAdmin {
  /** Ends every session of `user` created until now, at each one's next recheck (runtime/revocation.ts). */
  revokeAll(user: string): Promise<void>;
}

/**
 * The Koa middleware for a spec; generated `installSessions()` calls it. Everything that can be wrong
 * with the configuration throws `SessionConfigError` here, at startup: generated code of another format
 * than this runtime's, missing or weak keys (naming the environment variable), storages it cannot build,
 * cookie settings a browser would drop. The layers a spec uses beyond the core (Redis, directory storage,
 * Ktor's format) come in `spec.layers`, so nothing else is loaded.
 *
 * Per request it loads the sessions whose cookie or header is present, runs the rest of the chain with
 * `ctx.sessions`, then writes what changed. Koa sends the response only after the chain resolves, so the
 * write lands before the response leaves. Requests on one by-id session take turns, from before the load
 * until after the commit (runtime/tracker/turns.ts). A storage that fails or times out throws a Koa HTTP
 * error, 503 with `Retry-After`, as does a turn that does not come in time; a change lost to a request in
 * another process is a 409; all for the app's error handling to render, and none with a `Set-Cookie`.
 *
 * @example
 * export function installSessions(options?: InstallOptions): Middleware {
 *   return createSessionsMiddleware(spec, options);
 * }
 */
export function createSessionsMiddleware<A = AdminMap>(spec: SpecDefinition, options: InstallOptions = {}): SessionsMiddleware<A> {
  const installed = install(spec, options);
  const admin = Object.fromEntries(
    installed.pipelines.flatMap((pipeline): [string, SessionAdmin | RevocationAdmin][] => {
      const { admin: indexed, revocation } = pipeline;
      if (indexed !== undefined) return [[pipeline.name, indexed]];
      return revocation === undefined ? [] : [[pipeline.name, { revokeAll: (user: string) => revocation.revokeAll(user, epochSeconds(installed.clock)) }]];
    }),
  );

  return Object.assign(async function sessions(ctx: Context, next: Next): Promise<void> {
    const requestSessions = new RequestSessions(installed, ctx);
    ctx.sessions = requestSessions as Sessions<any, any>;
    try {
      try {
        // Only a storage makes loading asynchronous; skipping `await` spares every other request a tick.
        const loading = requestSessions.loadIncoming();
        if (loading !== undefined) await loading;
      } catch (error) {
        requestSessions.close();
        throw withoutResponse(ctx, error);
      }
      try {
        await next();
      } catch (error) {
        // A 503 from the handler's own `ctx.sessions.load(name)` (a storage fault, a turn that did not come)
        // is answered as one before it.
        if (error instanceof SessionStorageError || error instanceof SessionBusyError) {
          requestSessions.close();
          throw withoutResponse(ctx, error);
        }
        requestSessions.abort(error);
        throw error;
      }
      try {
        const committing = requestSessions.commit();
        if (committing !== undefined) await committing;
      } catch (error) {
        throw withoutResponse(ctx, error);
      }
    } finally {
      // Every way out, a throwing handler and a client gone included, gives the turns up before the
      // response leaves, so the next request on the session goes ahead.
      const releasing = requestSessions.release();
      if (releasing !== undefined) await releasing;
    }
  }, { admin: admin as A });
}

/**
 * A storage fault (503, security.md #45), a turn that did not come (503) or a change another request beat
 * (409, #49, #50) leaves the middleware as the error it is, a `SessionHttpError` that carries `status`,
 * `expose` and `headers` as http-errors does, so Koa's `ctx.onerror` or the app's own error middleware
 * renders it (security.md #66). Nothing the handler put in the response leaves with it: a streamed body is
 * destroyed, and no `Set-Cookie` of any kind goes out (Koa's own error response drops every header; an
 * app's error middleware keeps the others). Any other error passes through untouched.
 */
function withoutResponse(ctx: Context, error: unknown): unknown {
  if (error instanceof SessionHttpError) {
    if (ctx.body instanceof Readable) ctx.body.destroy();
    ctx.remove('Set-Cookie');
  }
  return error;
}
