/**
 * The floor any encrypted-cookie session pays, hand-rolled on bare Koa in a few lines: the cookie read with
 * `ctx.cookies.get`, base64url, AES-256-GCM under the run's key with a fresh 12-byte IV per write, JSON, and
 * one `Set-Cookie` with the attributes ours sends for the bench spec's `encrypted` session (bench/run.ts
 * checks that they match). No schema check, no key ring, no expiry inside the seal: what typed-sessions
 * adds on top of this is its own cost.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Counter, SessionAccess } from './routes.js';

const NAME = 'bench_floor';
/** As ours sends them for a non-persistent cookie over plain HTTP (no Max-Age or Expires, no Secure). */
export const COOKIE_ATTRIBUTES = 'Path=/; HttpOnly; SameSite=Lax';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** @example counterRoutes(aesGcmCookie(Buffer.from(key, 'base64url')), 'read+write') */
export function aesGcmCookie(key: Buffer): SessionAccess<Koa.ParameterizedContext> {
  const write = (ctx: Koa.ParameterizedContext, value: Counter) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    ctx.append('Set-Cookie', `${NAME}=${sealed.toString('base64url')}; ${COOKIE_ATTRIBUTES}`);
  };
  return {
    login: (ctx, userId) => write(ctx, { userId, count: 0 }),
    read(ctx) {
      const sealed = Buffer.from(ctx.cookies.get(NAME) ?? '', 'base64url');
      if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as Counter;
      } catch {
        return undefined;
      }
    },
    write,
  };
}
