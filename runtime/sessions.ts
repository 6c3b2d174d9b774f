import type { Draft } from './read-only.js';

/**
 * `ctx.sessions`: typed access to every session of the spec during one request. Reads are synchronous: a
 * by-value session opens its cookie on first use, a by-id session is loaded from its storage before the
 * handler runs. Changes are validated and sealed when made and written after the handler, before the
 * response leaves.
 *
 * @example
 * const user = ctx.sessions.get('user');
 * if (!user) ctx.throw(401);
 * ctx.sessions.set('user', { ...user, roles: ['admin'] });
 * ctx.sessions.update('cart', (cart) => {
 *   cart.items.push({ sku: 'a-1', qty: 1 });
 * });
 */
export interface Sessions<M extends object, ById extends keyof M = never> {
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
   */
  set<K extends keyof M & string>(name: K, value: M[K]): void;
  /**
   * `set` of what `recipe` makes of a copy of the current payload: it edits the copy in place, or returns a
   * new payload. Throws `SessionUsageError` when there is no session to update (use `set` or `getOrSet`).
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
}
