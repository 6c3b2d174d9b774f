import type { CookieOptions } from './cookie-options.js';
import type { Draft } from './read-only.js';
import type { ListedSession } from './session-admin.js';

/**
 * `ctx.sessions`: typed access to every session of the spec during one request. Reads are synchronous: a
 * by-value session opens its cookie on first use, a by-id session is loaded from its storage before the
 * handler runs (one declared `load: lazy`, by `await load(name)`). Changes are validated and sealed when made and written after the handler, before the
 * response leaves.
 *
 * @example
 * const user = ctx.sessions.get('user');
 * if (!user) ctx.throw(401);
 * ctx.sessions.set('user', { ...user, roles: ['admin'] });
 * ctx.sessions.set('user', user, { persistent: true }); // "remember me": the cookie outlives the browser
 * ctx.sessions.update('cart', (cart) => {
 *   cart.items.push({ sku: 'a-1', qty: 1 });
 * });
 * ctx.sessions.flash('user', 'notice', 'Saved');     // before a redirect
 * const notice = ctx.sessions.flashed('user', 'notice'); // in the request after it: 'Saved', then gone
 *
 * `M` maps session names to payload types, `ById` names the sessions tracked by id, `F` maps the sessions
 * that declare `flash:` to their flash value types (key -> type), `Cookie` names the cookie sessions
 * that take cookie options, and `Indexed` maps the sessions that declare `index:` to what a listing shows of
 * each (the generated `SessionMap`, `ByIdSessionName`, `FlashMap`, `CookieSessionName` and `SummaryMap`).
 */
export interface Sessions<
  M extends object,
  ById extends keyof M = never,
  F extends object = Record<never, never>,
  Cookie extends keyof M = never,
  Indexed extends object = Record<never, never>,
> {
  /**
   * The payload, or `undefined` when the request carried none (or a bad one). Read-only, at every depth: a
   * change made in place would not be written (change it with `set` or `update`). Frozen outside
   * production, so a change in place throws there.
   */
  get<K extends keyof M & string>(name: K): M[K] | undefined;
  /**
   * Replaces the payload. Validates it against the schema now (`SessionValidationError` naming the JSON
   * path), serializes and seals it now (`SessionTooLargeError` if it cannot be delivered); written after
   * the handler. Throws `SessionStateError` once the response is committed.
   *
   * A cookie session also takes `options`: a persistent or browser-session cookie, and a shorter life
   * (`CookieOptions`). They stay with the session, through refreshes and later writes without options,
   * until a write passes others or the session is cleared.
   */
  set<K extends keyof M & string>(name: K, value: M[K], ...options: K extends Cookie ? [options?: CookieOptions] : []): void;
  /**
   * `set` of what `recipe` makes of a copy of the current payload: it edits the copy in place, or returns a
   * new payload. Throws `SessionUsageError` when there is no session to update (use `set` or `getOrSet`).
   * The session keeps the cookie options it was written with.
   */
  update<K extends keyof M & string>(name: K, recipe: (draft: Draft<M[K]>) => M[K] | void): void;
  /** Removes the session: by id, its entry is deleted at commit; the cookie or header is expired. Idempotent. */
  clear<K extends keyof M & string>(name: K): void;
  /**
   * The payload, as `get` returns it, once the session is loaded. Only a by-id session declared
   * `load: lazy` waits for it: it is read from its storage here, once per request, and every other call on
   * it throws `SessionUsageError` until then. Every other session is loaded already, so this resolves at
   * once. Throws `SessionStorageError` (a 503) when the storage fails.
   */
  load<K extends keyof M & string>(name: K): Promise<M[K] | undefined>;
  /** The payload, or `create()`'s result, set. */
  getOrSet<K extends keyof M & string>(name: K, create: () => M[K]): M[K];
  /** By id: a new id for the same data (creation time kept); the old id's entry is deleted at commit. */
  regenerate<K extends ById & string>(name: K): void;
  /**
   * By id: the handle of the session this request carries, as the admin API's `list()` shows it (never its id
   * or token), so a "your devices" page can mark this one; `undefined` for a session this request creates.
   */
  handle<K extends ById & string>(name: K): string | undefined;
  /**
   * `index:` sessions: ends every other session of this session's user (its indexed value), in one storage
   * step, and resolves to how many it ended. Only the sessions of `Indexed` are accepted (past the types, a
   * session without `index:` throws `SessionUsageError`).
   */
  revokeOthers<K extends keyof Indexed & string>(name: K): Promise<number>;
  /**
   * `index:` sessions: every live session of this session's user, most recently used first, `current` marking
   * the one this request carries: the data of a "your devices" page. One storage step. Each `summary` is typed
   * by `Indexed` from the spec's `summary:` paths, as the admin API's `list` is.
   *
   * @example
   * const devices = await ctx.sessions.list('device');
   * devices.map(({ handle, current, summary }) => ({ handle, current, agent: summary.agent }));
   */
  list<K extends keyof Indexed & string>(name: K): Promise<Array<ListedSession<Indexed[K]> & { readonly current: boolean }>>;
  /**
   * `index:` sessions: ends the session of `handle` if it is another session of this session's user (a handle
   * of someone else's session, or of this request's own, ends nothing: use `clear` for that); resolves to
   * whether it ended one.
   */
  revoke<K extends keyof Indexed & string>(name: K, handle: string): Promise<boolean>;
  /**
   * Leaves flash value `key` for a later request: it stays in the session, beside the payload under the
   * same seal or storage entry, until a request reads it with `flashed`. Setting it again replaces it, so a
   * redirect loop never piles values up. Checked and sealed now, like `set` (`SessionValidationError`,
   * `SessionTooLargeError`). A session without a payload carries flash values alone: after `clear` (logout,
   * then "Signed out"), a flash starts a session that holds only it. `clear` drops pending flash values, so
   * clear first, then flash. Throws `SessionUsageError` for a key the session does not declare (past the
   * types only) and `SessionStateError` once the response is committed.
   */
  flash<K extends keyof F & string, Key extends keyof F[K] & string>(name: K, key: Key, value: F[K][Key]): void;
  /**
   * Flash value `key` as a previous request left it (or this one set it), or `undefined`; taking it removes
   * it from the session, which the response writes without it (and clears once it holds nothing else).
   * Reading it again in the same request returns it again. Read-only like `get`. Since taking it changes
   * the session, it throws `SessionStateError` once the response is committed.
   */
  flashed<K extends keyof F & string, Key extends keyof F[K] & string>(name: K, key: Key): F[K][Key] | undefined;
}
