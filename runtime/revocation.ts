/**
 * Revocation of by-value sessions (`revocation:` in the spec, docs/spec.md): a sealed cookie cannot be
 * deleted, so each user has a stamp in a storage, the second from which their sessions are valid, and
 * `revokeAll(user)` moves it to now. A cookie carries, under its seal, when it last read its user's stamp
 * (`checkedAt`, runtime/envelope.ts); once `recheck` seconds have passed, the request reads the stamp
 * before the handler, refuses a session created before it as `revoked`, and otherwise re-seals the cookie
 * with the new check time. So the store is read at most once per `recheck` per session, and a revoked cookie
 * lives at most `recheck` longer (security.md #23). A storage fault during a due recheck is a 503 (never
 * fail-open), unless the spec wrote `onStoreDown: allow`.
 */
import type { RevocationDefinition } from './definition.js';
import { stampKeyFor } from './ids.js';
import { SessionStorageError } from './errors.js';
import type { TimedStorage } from './storage/timed-storage.js';
import type { IncomingSession } from './tracker/incoming.js';
import { SessionIndex } from './tracker/session-index.js';

/** Stamps outlive every cookie sealed before them: a session lives at most `maxAge`, and this is more. */
const STAMP_SLACK_SECONDS = 60;

export class Revocation {
  readonly #users: SessionIndex;

  constructor(
    readonly session: string,
    readonly definition: RevocationDefinition,
    readonly storage: TimedStorage,
    readonly maxAge: number,
  ) {
    this.#users = new SessionIndex(session, { path: definition.key });
  }

  /** Whether a session loaded at `now` must read its user's stamp before the handler. */
  isDue(loaded: IncomingSession<unknown>, now: number): boolean {
    if (!loaded.ok || this.#users.valueOf(loaded.value) === undefined) return false;
    return now - (loaded.envelope.checkedAt ?? 0) >= this.definition.recheck;
  }

  /**
   * `loaded` after reading its user's stamp: `revoked` when the session was created before it, else the
   * session with its check time moved to `now`, to be re-sealed (`rechecked`). Throws `SessionStorageError`
   * when the storage fails, unless `onStoreDown: allow`, which lets it through unchecked.
   */
  async recheck<T>(loaded: IncomingSession<T> & { ok: true }, now: number): Promise<IncomingSession<T>> {
    const user = this.#users.valueOf(loaded.value)!;
    let stamp: number;
    try {
      const entry = await this.storage.read(this.stampKey(user));
      stamp = entry === undefined ? 0 : Number(entry.value);
    } catch (error) {
      if (error instanceof SessionStorageError && this.definition.onStoreDown === 'allow') return loaded;
      throw error;
    }
    if (loaded.envelope.createdAt < stamp) return { ok: false, reason: 'revoked', source: 'storage' };
    return { ...loaded, envelope: { ...loaded.envelope, checkedAt: now }, rechecked: true };
  }

  /**
   * Ends every session of `user` sealed until now: its stamp moves to the next whole second, so a session
   * created in the same second as the revocation, before or after it, ends too (the conservative side).
   */
  async revokeAll(user: string, now: number): Promise<void> {
    await this.storage.write(this.stampKey(user), String(now + 1), this.maxAge + STAMP_SLACK_SECONDS);
  }

  /** The key of `user`'s stamp (runtime/ids.ts). */
  stampKey(user: string): string {
    return stampKeyFor(this.session, user);
  }
}
