import type { Envelope } from '../envelope.js';
import type { RefreshReason, RuntimeEvent } from '../events.js';
import type { Lifetime } from '../lifetime.js';
import type { ResponseHeaders } from '../transport/response-headers.js';
import type { Transport } from '../transport/transport.js';
import type { IncomingSession, LoadedSession } from './incoming.js';

/** What commit does for a session. */
export type Change =
  /** Nothing asked: re-send if a refresh is due. */
  | 'none'
  /** `set` or `regenerate`: `staged` is ready. */
  | 'write'
  /** `clear`: delete the entry (by id) and expire the token. */
  | 'clear'
  /** The incoming session was refused: expire the token, as for every reason alike (security.md #24). */
  | 'reject';

/** What a slot uses of its session's pipeline (runtime/session-pipeline.ts), seen from the tracker's side. */
export interface SlotSession {
  readonly name: string;
  readonly transport: Transport;
  readonly lifetime: Lifetime;
  /** `value` validated, serialized and staged by the tracker, as set at `now` for a session created at `createdAt`. */
  pack(value: unknown, createdAt: number, now: number): string;
  /** A loaded envelope with its last-seen time moved to `now`, staged again. */
  repack(envelope: Envelope, now: number): string;
  emit(event: RuntimeEvent): void;
}

/**
 * One session's state during one request, created only for sessions the request carries or the handler
 * uses. What every tracker shares lives here: the value, the session loaded, what commit does, how it
 * is delivered, and which lifecycle events that is. Each tracker's slot adds `regenerate`, what commit
 * stores before any header is written, and the token it delivers.
 */
export abstract class SessionSlot {
  value: unknown = undefined;
  /** The incoming session, while it is still the current one (`clear` and `regenerate` forget it). */
  loaded: LoadedSession<unknown> | undefined = undefined;
  change: Change = 'none';
  /** Set by `set`: what the tracker staged for commit. */
  staged = '';
  createdAt = 0;
  /** Set at commit when an unchanged session is re-sent. */
  refresh: RefreshReason | undefined = undefined;
  /** Set by a tracker's `regenerate` of a session that has a value: it goes on under a new id. */
  protected regenerated = false;
  /** Whether the request carried a live session: commit reports its end when the app clears or replaces it. */
  #arrived = false;
  /** Whether what `set` staged starts a session (none was loaded): commit reports it created. */
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
    this.createdAt = incoming.envelope.createdAt;
    this.#arrived = true;
  }

  /** Throws `SessionValidationError` or `SessionTooLargeError`, leaving the slot as it was. */
  set(value: unknown, now: number): void {
    // Updating a live session keeps its creation time: the absolute lifetime is never extended (security.md #39).
    const createdAt = this.loaded?.envelope.createdAt ?? (this.change === 'write' ? this.createdAt : now);
    this.staged = this.session.pack(value, createdAt, now);
    // A second `set` of a session started in this request still starts it.
    this.#fresh = this.loaded === undefined && (this.change !== 'write' || this.#fresh);
    this.createdAt = createdAt;
    this.change = 'write';
    this.value = value;
  }

  clear(): void {
    this.loaded = undefined;
    this.value = undefined;
    this.change = 'clear';
  }

  /**
   * By id: a new id for the same data at commit, once `assertOpen` has checked the response is not
   * committed. By value there is no id: throws `SessionUsageError`.
   */
  abstract regenerate(now: number, assertOpen: () => void): void;

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
    if (this.change === 'none' && loaded !== undefined) this.refresh = this.session.lifetime.refreshReason(loaded.envelope, loaded.stale, now);
    return this.store(now);
  }

  /**
   * Commit's second step: the token written or refreshed, or the expiry of a cleared or refused one, and
   * `Vary`, then the events saying so. Returns whether a header about the session went out.
   */
  deliver(response: ResponseHeaders, now: number, nowMs: number): boolean {
    const { transport } = this.session;
    // The response depends on this session, present or not (security.md #12).
    response.vary(transport.vary);
    let sent = true;
    if (this.change === 'clear' || this.change === 'reject') transport.expire(response);
    else if (this.change === 'write' || this.refresh !== undefined) transport.send(response, this.token(), this.session.lifetime.cookieMaxAge(this.createdAt, now), nowMs);
    else sent = false;
    if (this.refresh !== undefined) this.session.emit({ type: 'refreshed', session: this.session.name, reason: this.refresh });
    this.#reportLifecycle();
    return sent;
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
