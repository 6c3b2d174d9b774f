import type { CookieOptions } from '../cookie-options.js';
import type { CookieChoice } from '../envelope.js';
import type { RefreshReason } from '../events.js';
import { NO_FLASH, type FlashValues } from '../flash.js';
import type { ResponseHeaders } from '../transport/response-headers.js';
import type { CookieJar } from '../transport/transport.js';
import type { Change, SlotSession } from './slot-session.js';
import type { IncomingSession, LoadedSession } from './incoming.js';

/**
 * One session's state during one request, created only for sessions the request carries or the handler
 * uses. What every tracker shares lives here: the value, the session loaded, what commit does, how it
 * is delivered, and which lifecycle events that is. Each tracker's slot adds `regenerate`, what commit
 * stores before any header is written, and the token it delivers.
 */
export abstract class SessionSlot {
  value: unknown = undefined;
  /** `value` as serialized; `undefined` when the session has no payload (none yet, or flash values alone). */
  payload: string | undefined = undefined;
  /** The incoming session, while it is still the current one (`clear` and `regenerate` forget it). */
  loaded: LoadedSession<unknown> | undefined = undefined;
  change: Change = 'none';
  /** Set by `set` and by each flash change: what the tracker staged for commit. */
  staged = '';
  createdAt = 0;
  /** The cookie options the session was last written with; kept by every later write and refresh that passes none. */
  choice: CookieChoice | undefined = undefined;
  /** `revocation:` sessions: when the loaded session last read its user's stamp; a new session starts the clock. */
  checkedAt: number | undefined = undefined;
  /** Set at commit when an unchanged session is re-sent. */
  refresh: RefreshReason | undefined = undefined;
  /** Flash values for a later request: those that arrived and are not read yet, and those set now. */
  #flash: FlashValues = NO_FLASH;
  /** Flash values this request took, so that reading one again in the same request returns it again. */
  #taken: Map<string, unknown> | undefined = undefined;
  /** Set by a tracker's `regenerate` of a session that has a value: it goes on under a new id. */
  protected regenerated = false;
  /**
   * Whether the request carried a live session with a payload: commit reports its end when the app clears or
   * replaces it. One holding flash values alone is no sign-in to report.
   */
  #arrived = false;
  /** Whether what `set` staged starts a session (it had no payload): commit reports it created. */
  #fresh = false;
  /** Whether the session outlived its absolute lifetime during this request (`outlive`). */
  #outlived = false;

  constructor(protected readonly session: SlotSession) {}

  adopt(incoming: IncomingSession<unknown>): void {
    if (!incoming.ok) {
      this.change = 'reject';
      return;
    }
    this.loaded = incoming;
    this.value = incoming.value;
    this.payload = incoming.envelope.payload;
    this.#flash = incoming.flash;
    this.createdAt = incoming.envelope.createdAt;
    this.choice = incoming.envelope.choice;
    this.checkedAt = incoming.envelope.checkedAt;
    this.#arrived = incoming.value !== undefined;
  }

  /**
   * Throws `SessionValidationError`, `SessionTooLargeError` or (bad `options`) `SessionUsageError`, leaving
   * the slot as it was. Without `options` the session keeps the cookie options it was written with.
   */
  set(value: unknown, now: number, options?: CookieOptions): void {
    const payload = this.session.serialize(value);
    const choice = options === undefined ? this.choice : this.session.choose(options, now);
    // Updating a live session keeps its creation time: the absolute lifetime is never extended (security.md
    // #39). A session without a payload (new, cleared, or holding flash values alone) starts it now.
    const fresh = this.payload === undefined;
    this.#stage(fresh ? now : this.createdAt, now, payload, this.#flash, choice);
    // A second `set` of a session started in this request still starts it.
    this.#fresh ||= fresh;
    this.value = value;
  }

  /** Sets flash value `key` for a later request; throws as `set` does, leaving the slot as it was. */
  setFlash(key: string, value: unknown, now: number): void {
    this.session.flash.check(key, value);
    const holdsData = this.payload !== undefined || this.#flash.size > 0;
    this.#stage(holdsData ? this.createdAt : now, now, this.payload, new Map(this.#flash).set(key, value));
  }

  /**
   * Takes flash value `key` out of the session: staged without it now, and cleared once it holds nothing
   * else. Throws `SessionUsageError` for a key the session does not declare.
   */
  takeFlash(key: string, now: number): unknown {
    this.session.flash.requireKey(key);
    if (!this.#flash.has(key)) return this.#taken?.get(key);
    const value = this.#flash.get(key);
    const rest = new Map(this.#flash);
    rest.delete(key);
    if (this.payload === undefined && rest.size === 0) this.clear();
    else this.#stage(this.createdAt, now, this.payload, rest);
    (this.#taken ??= new Map()).set(key, value);
    return value;
  }

  /** Removes the payload and the flash values: a flash set afterwards starts a session of its own. */
  clear(): void {
    this.loaded = undefined;
    this.value = undefined;
    this.payload = undefined;
    this.#flash = NO_FLASH;
    this.choice = undefined;
    this.checkedAt = undefined;
    this.#fresh = false;
    this.change = 'clear';
  }

  /** Stages the envelope, then keeps what it holds: a throw leaves the slot as it was. */
  #stage(createdAt: number, now: number, payload: string | undefined, flash: FlashValues, choice = this.choice): void {
    // A session started now cannot have been revoked before: its check clock starts with it.
    const checkedAt = createdAt === now && this.payload === undefined ? undefined : this.checkedAt;
    this.staged = this.session.pack(createdAt, now, payload, flash, choice, checkedAt);
    this.createdAt = createdAt;
    this.payload = payload;
    this.#flash = flash;
    this.choice = choice;
    this.change = 'write';
  }

  /**
   * By id: a new id for the same data at commit, once `assertOpen` has checked the response is not
   * committed. By value there is no id: throws `SessionUsageError`.
   */
  abstract regenerate(now: number, assertOpen: () => void): void;

  /** Whether a write can leave the token as it was (by id: the id); by value every write seals a new one. */
  protected readonly keepsToken: boolean = false;

  /** By id: the handle (the entry's storage key) of the id the session has now; by value, `undefined`. */
  handle(): string | undefined {
    return undefined;
  }

  /** Whether commit has something the app asked for to write. */
  get changed(): boolean {
    return this.change === 'write' || this.change === 'clear';
  }

  /** Commit found the session past its absolute lifetime: it is deleted instead of written, and reported expired. */
  protected outlive(): void {
    this.change = 'clear';
    this.#outlived = true;
  }

  /** The handler threw: nothing the app asked for is written, but a refused token is still expired. */
  abandon(): void {
    if (this.change !== 'reject') this.change = 'none';
  }

  /**
   * Commit's first step, before any header is written: decides whether an unchanged session is re-sent
   * (its `Lifetime` knows), then stores what the tracker needs stored. Asynchronous when a storage is written.
   */
  persist(now: number): Promise<void> | undefined {
    const loaded = this.loaded;
    if (this.change === 'none' && loaded !== undefined) {
      this.refresh =
        loaded.migratedFrom !== undefined ? 'migrated' : loaded.rechecked === true ? 'rechecked' : this.session.lifetime.refreshReason(loaded.envelope, loaded.stale, now);
    }
    return this.store(now);
  }

  /**
   * Commit's second step: the token written or refreshed, with the cookie options it was written with, or
   * the expiry of a cleared or refused one, and `Vary`, then the events saying so. `presented` holds the
   * request's cookies. Returns whether the response must not be cached: a header about the session went
   * out, or the session was written (security.md #12).
   */
  deliver(response: ResponseHeaders, now: number, nowMs: number, presented: CookieJar): boolean {
    const { transport } = this.session;
    // The response depends on this session, present or not (security.md #12).
    response.vary(transport.vary);
    let sent = true;
    if (this.change === 'clear' || this.change === 'reject') transport.expire(response, presented);
    else if (this.change === 'write' || this.refresh !== undefined) {
      const token = this.token();
      // A token the client holds already is not sent again; the response still follows from a write of the
      // session, so it is not cached either (`true` below).
      const held = this.change === 'write' && this.keepsToken && this.#clientHolds(token, presented, response.secure);
      if (!held) {
        const maxAge = this.session.lifetime.cookieMaxAge(this.createdAt, now, this.choice?.expiresAt);
        transport.send(response, token, { maxAge, persistent: this.choice?.persistent, now: nowMs, presented });
      }
    } else sent = false;
    if (this.refresh !== undefined) this.session.emit({ type: 'refreshed', session: this.session.name, reason: this.refresh });
    this.#reportLifecycle();
    return sent;
  }

  /**
   * Whether a write leaves the client's token as it is: the same token (a by-id session written under the id
   * it came with; a by-value token is new on every write), in the one cookie presented, for the session that
   * came (its creation time, so its `Max-Age` counts to the same instant) with the cookie options it came
   * with. Sending it again would change nothing in the browser: the bytes are saved. Not in Ktor's format,
   * where each write's cookie lives the full `maxAge` from then, as Ktor's does.
   */
  #clientHolds(token: string, presented: CookieJar, secure: boolean): boolean {
    const { loaded } = this;
    return (
      this.session.enveloped &&
      loaded !== undefined &&
      this.createdAt === loaded.envelope.createdAt &&
      this.choice === loaded.envelope.choice &&
      this.session.transport.holds(presented, token, secure)
    );
  }

  /** What this commit did to the session's life, as events naming the session only, never a token or an id. */
  #reportLifecycle(): void {
    const session = this.session.name;
    if (this.change === 'clear') {
      if (this.#outlived) this.session.emit({ type: 'expired', session });
      else if (this.#arrived) this.session.emit({ type: 'destroyed', session });
    } else if (this.change === 'write') {
      if (this.#fresh) {
        // `clear()` then `set()`, as a login does: the session the request carried ends, a new one begins.
        if (this.#arrived) this.session.emit({ type: 'destroyed', session });
        this.session.emit({ type: 'created', session });
      } else if (this.payload === undefined) {
        // `clear()` then `flash()`, as a logout with a notice does: the session ends; the notice is no sign-in.
        if (this.#arrived) this.session.emit({ type: 'destroyed', session });
      } else if (this.regenerated) {
        this.session.emit({ type: 'regenerated', session });
      }
    }
  }

  /** What the tracker does at commit before delivery, with `refresh` decided. */
  protected abstract store(now: number): Promise<void> | undefined;

  /** The token delivered for a written or refreshed session. */
  protected abstract token(): string;
}
