/**
 * The floors every session variant is measured against, on bare Koa 3: no session at all, requests carrying
 * a session-sized cookie, the headers a by-value session puts on the wire with no session work, and a
 * hand-rolled AES-256-GCM cookie session (bench/app/aes-gcm-floor.ts).
 */
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import { aesGcmCookie, COOKIE_ATTRIBUTES } from './aes-gcm-floor.js';
import { counterRoutes, noSession, type BenchConfig, type Build, type SessionAccess, type Use } from './routes.js';

/** A cookie of an encrypted bench session's length (base64url of header, nonce, envelope and tag). */
const sessionSizedCookie = () => `bench_enc=${randomBytes(109).toString('base64url')}; ${COOKIE_ATTRIBUTES}`;

function bareKoa(session: (config: BenchConfig) => SessionAccess<Koa.ParameterizedContext>, use: Use, before?: Koa.Middleware): Build {
  return async function build(config) {
    const app = new Koa();
    if (before !== undefined) app.use(before);
    app.use(counterRoutes(session(config), use));
    return { app, close: async () => undefined };
  };
}

/** Bare Koa: the same answers with no session at all. */
export const bare = bareKoa(() => noSession(), 'nothing');

/** Bare Koa whose /login sends a session-sized cookie, which every later request carries and nothing reads. */
export const cookieCarrying = bareKoa(() => noSession(sessionSizedCookie()), 'nothing');

/**
 * Bare Koa carrying what a by-value session puts on the wire, and nothing else: a cookie of the encrypted
 * variant's size in every request, and a `Set-Cookie` of that size, `Vary` and `Cache-Control` in every
 * response. The gap between it and bare Koa is HTTP's share of a session's cost, which no session library avoids.
 */
const line = sessionSizedCookie();
export const headerFloor = bareKoa(
  () => noSession(),
  'nothing',
  async function sessionHeaders(ctx, next) {
    ctx.append('Set-Cookie', line);
    ctx.vary('Cookie');
    ctx.set('Cache-Control', 'no-store');
    await next();
  },
);

/** The hand-rolled AES-256-GCM cookie session, read+write or read only. */
export function aesGcmFloor(use: Use): Build {
  return bareKoa((config) => aesGcmCookie(Buffer.from(config.key, 'base64url')), use);
}
