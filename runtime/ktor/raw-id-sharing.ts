
/**
 * Native sessions tracked by id file each entry under a hash of the session's name and the id, so two
 * sessions on one storage never read each other's entries (security.md #55). Ktor-format sessions cannot:
 * Ktor files an entry under the raw id, and a storage shared with a Ktor service must do the same
 * (docs/ktor.md). Two Ktor-format sessions on one store would then accept each other's ids, so such a spec
 * is refused, by `validate` with the position and by `installSessions()` at startup, through this one rule.
 *
 * A Ktor-format session beside native sessions on one store is safe: native keys are 43-character
 * base64url hashes, never a Ktor id (16, 32 or 64 hex characters), and no id hashes to a chosen Ktor id.
 */

/** One session tracked by id, as both sides see it. */
export interface StoredSession<Store> {
  readonly name: string;
  /** What identifies the store its entries land in: the same value for two sessions means one store. */
  readonly store: Store;
  /** Files entries under the raw id (Ktor's format). */
  readonly rawIds: boolean;
}

/** A Ktor-format session that would share its entries with an earlier one, named by both. */
export interface RawIdSharing {
  readonly session: string;
  readonly earlier: string;
}

/**
 * Every Ktor-format session whose store an earlier Ktor-format session (in spec order) also uses.
 *
 * @example
 * rawIdSharing([{ name: 'a', store: 'mem', rawIds: true }, { name: 'b', store: 'mem', rawIds: true }]);
 * // [{ session: 'b', earlier: 'a' }]
 */
export function rawIdSharing<Store>(sessions: readonly StoredSession<Store>[]): RawIdSharing[] {
  const firstOnStore = new Map<Store, string>();
  return sessions.flatMap((session): RawIdSharing[] => {
    if (!session.rawIds) return [];
    const earlier = firstOnStore.get(session.store);
    if (earlier !== undefined) return [{ session: session.name, earlier }];
    firstOnStore.set(session.store, session.name);
    return [];
  });
}

/** What of a storage definition says where its entries land (a `StorageDefinition` is one). */
export type StoreLocation =
  | { readonly kind: 'memory' }
  | { readonly kind: 'directory'; readonly path: string }
  | { readonly kind: 'redis'; readonly url: { readonly env: string }; readonly prefix: string };

/**
 * The store a storage declared in sessions.yaml writes to: every memory storage is its own, directory
 * storages on one path and Redis storages on one URL variable and prefix are one.
 *
 * @example
 * storeOf('a', { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' }) === storeOf('b', { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' }); // true
 */
export function storeOf(name: string, storage: StoreLocation): string {
  switch (storage.kind) {
    case 'memory':
      return `memory ${name}`;
    case 'directory':
      return `directory ${storage.path}`;
    case 'redis':
      return `redis ${storage.url.env} ${storage.prefix}`;
  }
}

/** The refusal both sides print, after their own "where". */
export function rawIdSharingProblem({ session, earlier }: RawIdSharing): string {
  return (
    `session "${session}" and session "${earlier}" are both in Ktor's format and tracked by id on the same store, ` +
    `which files entries under the raw id, so each would accept the other's ids (docs/security.md #55); ` +
    `give one of them a storage of its own`
  );
}
