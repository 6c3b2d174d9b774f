import type { Context } from 'koa';
import { epochSeconds } from './clock.js';
import type { CookieOptions } from './cookie-options.js';
import type { InstalledSessions } from './installed-sessions.js';
import { deepFreeze } from './read-only.js';
import { SessionStateError, SessionUsageError } from './errors.js';
import { reissueMigrated } from './reissue.js';
import { deliver, persist, refuseLateChanges } from './request-commit.js';
import { RequestSlots } from './request-slots.js';
import type { ListedSession, SessionAdmin } from './session-admin.js';
import type { Sessions } from './sessions.js';
import type { SessionSlot } from './tracker/slot.js';
import { HeldTurns } from './tracker/held-turns.js';
import type { TurnHolder, TurnSource } from './tracker/turns.js';
import { ErrorHeaders } from './transport/response-headers.js';

/**
 * The per-request `Sessions`; `createSessionsMiddleware` makes one per request. It only orchestrates: each
 * session's slot (runtime/tracker/slot.ts), made by its tracker, knows how it loads, persists and delivers.
 * Its slots, and when each session opens, are runtime/request-slots.ts; it keeps the turns its by-id sessions
 * took (runtime/tracker/held-turns.ts) until `release`; what commit writes is runtime/request-commit.ts.
 */
export class RequestSessions
  implements Sessions<Record<string, unknown>, string, Record<string, Record<string, unknown>>, string, Record<string, Readonly<Record<string, unknown>>>>, TurnHolder
{
  readonly #installed: InstalledSessions;
  readonly #ctx: Context;
  readonly #slots: RequestSlots;
  /** Allocated on the first by-id token. */
  #turns: HeldTurns | undefined = undefined;
  #committed = false;

  constructor(installed: InstalledSessions, ctx: Context) {
    this.#installed = installed;
    this.#ctx = ctx;
    this.#slots = new RequestSlots(installed, this);
  }

  get(name: string): unknown {
    const { value } = this.#slots.at(this.#indexOf(name));
    return this.#installed.freezePayloads ? deepFreeze(value) : value;
  }

  set(name: string, value: unknown, options?: CookieOptions): void {
    this.#open(name).set(value, epochSeconds(this.#installed.clock), options);
    // Sealed already: a change the handler made to `value` afterwards would be lost, so it throws instead.
    if (this.#installed.freezePayloads) deepFreeze(value);
  }

  update(name: string, recipe: (draft: unknown) => unknown): void {
    const current = this.get(name);
    if (current === undefined) {
      throw new SessionUsageError(`session "${name}" has no payload to update in this request; create it with set() or getOrSet()`);
    }
    const draft = structuredClone(current);
    const made = recipe(draft);
    this.set(name, made === undefined ? draft : made);
  }

  clear(name: string): void {
    this.#open(name).clear();
  }

  getOrSet(name: string, create: () => unknown): unknown {
    const value = this.get(name);
    if (value !== undefined) return value;
    this.set(name, create());
    return this.get(name);
  }

  /**
   * The payload once loaded: at once for every session but a by-id one with `load: lazy`, which this
   * loads from its storage (once per request). Throws `SessionStorageError` when the storage fails, and
   * `SessionStateError` once the response is committed.
   */
  async load(name: string): Promise<unknown> {
    const index = this.#indexOf(name);
    // A load after the response would take a turn on the id that no one gives back (the request has ended).
    if (this.#committed) {
      throw new SessionStateError(`session "${name}" loaded after the response was committed; load sessions before the middleware chain finishes (await ctx.sessions.load in the handler)`);
    }
    await this.#slots.load(index);
    return this.get(name);
  }

  regenerate(name: string): void {
    this.#slots.at(this.#indexOf(name)).regenerate(epochSeconds(this.#installed.clock), () => this.#assertOpen(name));
  }

  handle(name: string): string | undefined {
    return this.#slots.at(this.#indexOf(name)).handle();
  }

  async list(name: string): Promise<Array<ListedSession & { readonly current: boolean }>> {
    const { admin, user } = this.#adminOf(name, 'list');
    if (user === undefined) return [];
    const current = this.handle(name);
    return (await admin.list(user)).map((listed) => ({ ...listed, current: listed.handle === current }));
  }

  async revoke(name: string, handle: string): Promise<boolean> {
    const { admin, user } = this.#adminOf(name, 'revoke');
    // The session this request carries ends through clear(), which also expires its cookie.
    if (user === undefined || handle === this.handle(name)) return false;
    return admin.revoke(handle, { user });
  }

  async revokeOthers(name: string): Promise<number> {
    const { admin, user } = this.#adminOf(name, 'revokeOthers');
    if (user === undefined) return 0;
    const handle = this.handle(name);
    return admin.revokeAll(user, handle === undefined ? {} : { except: handle });
  }

  /** The admin of indexed session `name` and the user this request's session belongs to, if it has one. */
  #adminOf(name: string, call: string): { admin: SessionAdmin; user: string | undefined } {
    const index = this.#indexOf(name);
    const admin = this.#installed.pipelines[index]!.admin;
    if (admin === undefined) throw new SessionUsageError(`session "${name}" has no index: in sessions.yaml, so ${call}() has no user's sessions to work on; add index: (docs/spec.md)`);
    return { admin, user: admin.index.valueOf(this.#slots.at(index).value) };
  }

  flash(name: string, key: string, value: unknown): void {
    this.#open(name).setFlash(key, value, epochSeconds(this.#installed.clock));
    if (this.#installed.freezePayloads) deepFreeze(value);
  }

  flashed(name: string, key: string): unknown {
    const value = this.#open(name).takeFlash(key, epochSeconds(this.#installed.clock));
    return this.#installed.freezePayloads ? deepFreeze(value) : value;
  }

  /**
   * Before the handler: reads every session's token and opens what cannot wait (`RequestSlots.readIncoming`),
   * then re-issues migrated sessions. Returns `undefined` when no storage was involved, so the common case
   * costs no extra tick. Throws `SessionStorageError` when a storage fails.
   */
  loadIncoming(): Promise<void> | undefined {
    const reading = this.#slots.readIncoming(this.#ctx);
    if (reading !== undefined) return reading.then(() => this.#migrate());
    this.#migrate();
    return undefined;
  }

  /** `migrateFrom`: runs after loading, before the handler (runtime/reissue.ts). */
  #migrate(): void {
    const slots = this.#slots.all;
    if (slots !== undefined) reissueMigrated(this.#installed, (index) => slots[index]?.value, this);
  }

  /** The turn on `key` of `source`, taken once per request (runtime/tracker/held-turns.ts). */
  takeTurn(source: TurnSource, key: string): Promise<void> {
    return (this.#turns ??= new HeldTurns()).takeTurn(source, key);
  }

  /**
   * Writes what changed: storage first, then headers, so a storage fault (`SessionStorageError`, a 503)
   * leaves no `Set-Cookie` pointing at unsaved data (security.md #46). A request that held a session past
   * `holdTimeout` writes nothing (`SessionBusyError`, a 503), since the next request may have changed it
   * meanwhile. Afterwards changes throw.
   */
  commit(): Promise<void> | undefined {
    this.#committed = true;
    const slots = this.#slots.all;
    if (slots === undefined) return undefined;
    if (this.#ctx.headerSent) return refuseLateChanges(this.#installed, slots);
    // Throws `SessionBusyError` for a turn that passed on; renews the locks of `concurrency: serialize`.
    const confirming = this.#turns !== undefined && slots.some((slot) => slot?.changed) ? this.#turns.confirm() : undefined;
    const persisting = (): Promise<void> | undefined => persist(this.#ctx, this.#installed, slots, this.#slots.cookies);
    return confirming === undefined ? persisting() : confirming.then(persisting);
  }

  /**
   * The request has ended, whichever way: every turn it took is given up, waiting or held, so the next
   * request on each id goes ahead. Resolves once the locks of `concurrency: serialize` are released.
   */
  release(): Promise<void> | undefined {
    return this.#turns?.release();
  }

  /** Loading failed: nothing is written, and changes throw. */
  close(): void {
    this.#committed = true;
  }

  /**
   * The handler threw: nothing is written and later changes throw, but refused tokens are still expired,
   * through the error's `headers`, which Koa's error response keeps (security.md #24: a bad cookie is
   * expired whatever the status).
   */
  abort(error: unknown): void {
    this.#committed = true;
    const slots = this.#slots.all;
    if (slots === undefined || !(error instanceof Error)) return;
    const headers = new ErrorHeaders(this.#ctx.secure);
    for (const slot of slots) slot?.abandon();
    deliver(headers, slots, 0, 0, this.#slots.cookies);
    headers.attachTo(error);
  }

  /** The slot of session `name`, which the handler is about to change. */
  #open(name: string): SessionSlot {
    const index = this.#indexOf(name);
    this.#assertOpen(name);
    return this.#slots.at(index);
  }

  #assertOpen(name: string): void {
    if (this.#committed) {
      throw new SessionStateError(
        `session "${name}" changed after the response was committed; change sessions before the middleware chain finishes (await async work in the handler)`,
      );
    }
  }

  #indexOf(name: string): number {
    const index = this.#installed.indexByName.get(name);
    if (index === undefined) {
      throw new SessionUsageError(`no session named "${name}"; sessions.yaml declares ${[...this.#installed.indexByName.keys()].join(', ')}`);
    }
    return index;
  }
}
