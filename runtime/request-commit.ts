/**
 * How `RequestSessions` (runtime/request-sessions.ts) writes a request's sessions: every slot's storage side,
 * then every session's headers, so a storage fault leaves no `Set-Cookie` pointing at unsaved data (security.md
 * #46); and the refusal of changes the response can no longer carry.
 */
import type { Context } from 'koa';
import type { InstalledSessions } from './installed-sessions.js';
import { SessionStateError } from './errors.js';
import type { SessionSlot } from './tracker/slot.js';
import { KoaResponse } from './transport/koa-response.js';
import type { ResponseHeaders } from './transport/response-headers.js';
import type { CookieJar } from './transport/transport.js';

/** Persists every slot at once, then, once all are stored, delivers their headers to `ctx`'s response. */
export function persist(
  ctx: Context,
  installed: InstalledSessions,
  slots: readonly (SessionSlot | undefined)[],
  presented: CookieJar,
): Promise<void> | undefined {
  const nowMs = installed.clock();
  const now = Math.floor(nowMs / 1000);
  let pending: Promise<void>[] | undefined;
  for (const slot of slots) {
    const persisting = slot?.persist(now);
    if (persisting !== undefined) (pending ??= []).push(persisting);
  }
  const response = new KoaResponse(ctx, installed.warnUntrustedHttps);
  if (pending === undefined) {
    deliver(response, slots, now, nowMs, presented);
    return undefined;
  }
  return Promise.all(pending).then(() => deliver(response, slots, now, nowMs, presented));
}

/** The app sent the headers itself: a pending write could never reach the client, so it is an error. */
export function refuseLateChanges(installed: InstalledSessions, slots: readonly (SessionSlot | undefined)[]): undefined {
  const changed = slots.findIndex((slot) => slot?.changed);
  if (changed !== -1) {
    throw new SessionStateError(
      `session "${installed.pipelines[changed]!.name}" changed after the response headers were sent; set or clear sessions before writing the response`,
    );
  }
  return undefined;
}

/** Headers for every session used: expiries, tokens written or refreshed, `Vary` and `Cache-Control`. */
export function deliver(response: ResponseHeaders, slots: readonly (SessionSlot | undefined)[], now: number, nowMs: number, presented: CookieJar): void {
  let sent = false;
  for (const slot of slots) {
    if (slot !== undefined && slot.deliver(response, now, nowMs, presented)) sent = true;
  }
  // Responses carrying a session token must not be cached, refresh-only ones included (security.md #12).
  if (sent) response.set('Cache-Control', 'no-store');
}
