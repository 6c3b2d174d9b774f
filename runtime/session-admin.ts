/**
 * The admin side of an indexed by-id session (`index:` in the spec, docs/spec.md): a user's sessions listed,
 * one revoked, all (or all others) revoked, inside a request or outside one. Each call is one storage step
 * (runtime/storage/storage.ts, `StorageIndexes`). Sessions are named by handles, the keys their entries are
 * filed under: stable for a session's id, and one-way, so a handle shown on a "your devices" page can never
 * be turned back into a token.
 */
import type { IncomingSession } from './tracker/incoming.js';
import type { ByIdTracker } from './tracker/by-id.js';
import { lastUse, type SessionIndex } from './tracker/session-index.js';

/** One session of a user, as `list()` shows it: never its id or token. */
export interface ListedSession<S = Readonly<Record<string, unknown>>> {
  /** Stable while the session keeps its id; what `revoke()` takes and `ctx.sessions.handle()` returns. */
  readonly handle: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds: the last write, or the last read that slid the idle timeout. */
  readonly lastSeenAt: number;
  /** The payload fields the spec's `summary:` selects, by dotted path. */
  readonly summary: S;
}

/** What the admin reads of the session's pipeline: an entry's text as a loaded session, reporting nothing. */
export interface InspectedSession {
  inspect(text: string, now: number): IncomingSession<unknown>;
}

/** `S`: the summary's type, which generated code gives from the spec's `summary:` paths. */
export class SessionAdmin<S = Readonly<Record<string, unknown>>> {
  constructor(
    readonly session: string,
    readonly pipeline: InspectedSession,
    readonly tracker: ByIdTracker,
    readonly index: SessionIndex,
    readonly now: () => number,
  ) {}

  /**
   * The live sessions of `user`, most recently used first, in one storage step. An entry filed under the
   * user that no longer opens (expired, refused, or since indexed under another user) is left out.
   */
  async list(user: string): Promise<ListedSession<S>[]> {
    const now = this.now();
    const entries = await this.tracker.storage.listIndex(this.index.keyFor(user));
    const idle = this.tracker.lifetime.expiry.idle;
    return entries
      .flatMap((entry): ListedSession<S>[] => {
        const opened = this.pipeline.inspect(entry.value, now);
        if (!opened.ok || this.index.valueOf(opened.value) !== user) return [];
        const { createdAt, lastSeenAt } = opened.envelope;
        return [{ handle: entry.key, createdAt, lastSeenAt: lastUse(lastSeenAt, entry.ttlSeconds, idle, now), summary: this.index.summaryOf(opened.value) as S }];
      })
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  /**
   * Ends the session of `handle`, and resolves to whether there was one. With `user`, only a session of that
   * user: what a "your devices" page calls, so a handle of someone else's session revokes nothing. The handle
   * must be filed in its owner's index of this session, so a handle of another session sharing the storage
   * (whose entry might even fit this schema) revokes nothing either (security.md #55).
   */
  async revoke(handle: string, options: { readonly user?: string } = {}): Promise<boolean> {
    let owner = options.user;
    if (owner === undefined) {
      const entry = await this.tracker.storage.read(handle);
      const opened = entry === undefined ? undefined : this.pipeline.inspect(entry.value, this.now());
      owner = opened?.ok === true ? this.index.valueOf(opened.value) : undefined;
      if (owner === undefined) return false;
    }
    const index = this.index.keyFor(owner);
    const filed = (await this.tracker.storage.listIndex(index)).find((entry) => entry.key === handle);
    if (filed === undefined) return false;
    const opened = this.pipeline.inspect(filed.value, this.now());
    if (!opened.ok || this.index.valueOf(opened.value) !== owner) return false;
    const ended = await this.tracker.storage.invalidateIndexed(handle, index, filed.version);
    if (ended) this.#report(1);
    return ended;
  }

  /** Ends every session of `user` but those whose handle is in `except`, in one step; resolves to how many it ended. */
  async revokeAll(user: string, options: { readonly except?: string | readonly string[] } = {}): Promise<number> {
    const keep = typeof options.except === 'string' ? [options.except] : (options.except ?? []);
    const ended = (await this.tracker.storage.revokeIndex(this.index.keyFor(user), keep)).length;
    if (ended > 0) this.#report(ended);
    return ended;
  }

  #report(count: number): void {
    this.tracker.storage.emit({ type: 'revoked', session: this.session, reason: 'admin', count });
  }
}
