/**
 * The per-user settings across two specs (docs/spec.md, `index`, `maxPerUser`, `summary`, `revocation`):
 * what each change does to the sessions already live and to what the spec promised about them. A change
 * that ends live sessions (a lower `maxPerUser`) is breaking, as is one that takes a promise back from
 * them: a revocation no longer read lets a revoked cookie open again, and an index on another path leaves
 * the sessions filed under the old one out of `revokeAll`. What adds a promise, or only changes what a
 * listing shows, is compatible; the findings say how far an added one reaches the sessions already live.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RevocationDefinition } from 'typed-sessions/rules';
import { summaryTypeName } from '../emit/sessions-admin.js';
import { describeStorage, duration, storagePlace, type SessionPair } from './session-pair.js';

/**
 * Adds the findings of every per-user setting of `pair`'s session.
 *
 * @example
 * comparePerUser({ sink, before, after, old: oldUser, now: newUser, at: ['sessions', 'user'] });
 */
export function comparePerUser(pair: SessionPair): void {
  compareIndex(pair);
  if (pair.old.index !== undefined && pair.now.index !== undefined) compareSummary(pair);
  if (pair.now.index !== undefined) compareLimit(pair);
  compareRevocation(pair);
}

/** `['user', 'id']` -> `user.id`, as the spec writes a payload path. */
function dotted(path: readonly string[]): string {
  return path.join('.');
}

/**
 * By id, every write files the entry under its indexed value and no read does (runtime/tracker/by-id.ts): a
 * session written before the index existed, or under another path, is filed as it was until its next write.
 */
function compareIndex({ sink, after, old, now, at }: SessionPair): void {
  const was = old.index;
  const is = now.index;
  const path = [...at, 'index'];
  if (was === undefined && is === undefined) return;
  if (is === undefined) {
    return sink.add(
      'index-removed',
      old.name,
      'before',
      path,
      `index: ${dotted(was!)} removed; live sessions stay, and nothing lists or revokes them by user any more (the admin API, ctx.sessions.list, revoke and revokeOthers of this session go, so code calling them no longer compiles)`,
    );
  }
  const maxAge = duration(now.expiry.maxAge);
  if (was === undefined) {
    const storage = now.storage === undefined ? undefined : after.storages[now.storage];
    if (storage?.kind === 'memory') {
      return sink.add('index-added', old.name, 'after', path, `index: ${dotted(is)} added; a memory storage keeps no session across the deploy, so every session is filed from its creation`);
    }
    return sink.add(
      'index-added',
      old.name,
      'after',
      path,
      `index: ${dotted(is)} added; a live session is filed at its next write (set, update, regenerate, or the rewrite of a migrated payload), never by a read, so until then list() leaves it out and revokeAll() does not end it, for at most expiry.maxAge (${maxAge})`,
    );
  }
  if (isDeepStrictEqual(was, is)) return;
  sink.add(
    'index-changed',
    old.name,
    'after',
    path,
    `index changed from ${dotted(was)} to ${dotted(is)}; a live session stays filed under its value at ${dotted(was)} until its next write, so where that differs from its value at ${dotted(is)}, list() and revokeAll() of its user miss it until then (at most expiry.maxAge, ${maxAge})`,
  );
}

/** What a listing shows; the generated `<Pascal>SessionSummary` follows it. No session is concerned. */
function compareSummary({ sink, old, now, at }: SessionPair): void {
  const shown = (paths: readonly (readonly string[])[] | undefined): string => `[${(paths ?? []).map(dotted).join(', ')}]`;
  if (isDeepStrictEqual(old.summary ?? [], now.summary ?? [])) return;
  const path = [...at, 'summary'];
  const type = summaryTypeName(now);
  if (now.summary === undefined) return sink.add('summary-changed', old.name, 'before', path, `summary removed; listings show no payload field, and ${type} has none`);
  const change = old.summary === undefined ? `summary: ${shown(now.summary)} added` : `summary changed from ${shown(old.summary)} to ${shown(now.summary)}`;
  sink.add('summary-changed', old.name, 'after', path, `${change}; listings show these fields (undefined where a live payload lacks one), and ${type} changes with them`);
}

/**
 * The limit is enforced when a user's session is created (runtime/tracker/session-limit.ts), on every
 * session filed under them: a lower one ends, at that user's next creation, all they hold beyond it.
 */
function compareLimit({ sink, old, now, at }: SessionPair): void {
  const was = old.index === undefined ? undefined : old.maxPerUser;
  const is = now.maxPerUser;
  if (was === is) return;
  const path = [...at, 'maxPerUser'];
  if (is === undefined) return sink.add('max-per-user-raised', old.name, 'before', path, 'maxPerUser removed; a user may hold any number of sessions');
  if (was !== undefined && is > was) return sink.add('max-per-user-raised', old.name, 'after', path, `maxPerUser raised from ${was} to ${is}`);
  const change = was === undefined ? `maxPerUser: ${is} added` : `maxPerUser lowered from ${was} to ${is}`;
  sink.add(
    'max-per-user-lowered',
    old.name,
    'after',
    path,
    `${change}; a user holding more than ${is} filed sessions loses the least recently used ones beyond it when their next session is created (a sign-in or a regenerate; revoked, reason limit)`,
  );
}

/**
 * A by-value cookie can only be refused, at its next recheck, by the stamp of its user, found under the value
 * at `key` in the storage (runtime/revocation.ts); a cookie with no check time yet is rechecked at once.
 */
function compareRevocation(pair: SessionPair): void {
  const { sink, old, now, at } = pair;
  const was = old.revocation;
  const is = now.revocation;
  const path = [...at, 'revocation'];
  if (was === undefined && is === undefined) return;
  const reopens = `a cookie sealed before a revokeAll() (a copy kept by a thief, a device signed out) opens again until its own expiry.maxAge (${duration(now.expiry.maxAge)}) ends`;
  if (is === undefined) return sink.add('revocation-removed', old.name, 'before', path, `revocation removed; its stamps are no longer read, so ${reopens}`);
  if (was === undefined) {
    return sink.add(
      'revocation-added',
      old.name,
      'after',
      path,
      "revocation added; a live cookie carries no check time, so its next request reads its user's stamp first (one storage read), and revokeAll() reaches every live cookie from the deploy on",
    );
  }
  compareStampPlace(pair, was, is, reopens);
  if (!isDeepStrictEqual(was.key, is.key)) {
    sink.add(
      'revocation-key-changed',
      old.name,
      'after',
      [...path, 'key'],
      `revocation.key changed from ${dotted(was.key)} to ${dotted(is.key)}; a stamp is found by the user id at the key, so where a live payload's value at ${dotted(is.key)} differs from its value at ${dotted(was.key)}, its user's revocations so far are no longer read and ${reopens}`,
    );
  }
  if (was.recheck !== is.recheck) {
    const change = `revocation.recheck ${is.recheck > was.recheck ? 'lengthened' : 'shortened'} from ${duration(was.recheck)} to ${duration(is.recheck)}`;
    sink.add('revocation-recheck-changed', old.name, 'after', [...path, 'recheck'], `${change}; a revoked cookie now works at most ${duration(is.recheck)} after revokeAll()`);
  }
  if (was.onStoreDown === is.onStoreDown) return;
  if (is.onStoreDown === 'allow') {
    return sink.add(
      'revocation-fails-open',
      old.name,
      'after',
      [...path, 'onStoreDown'],
      `revocation.onStoreDown changed from deny to allow; a recheck the storage cannot answer now lets the cookie through unchecked, so while the storage is down every revoked cookie within its expiry.maxAge opens again`,
    );
  }
  sink.add('revocation-fails-closed', old.name, 'before', [...path, 'onStoreDown'], 'revocation.onStoreDown changed from allow to deny; a recheck the storage cannot answer is now a 503, never a cookie let through');
}

/**
 * The stamps stay where the old storage keeps them, whatever the new one is named: only another place loses
 * them. A memory storage loses its stamps at every deploy, so moving off one loses nothing more.
 */
function compareStampPlace({ sink, before, after, old, at }: SessionPair, was: RevocationDefinition, is: RevocationDefinition, reopens: string): void {
  const oldStorage = before.storages[was.storage];
  const newStorage = after.storages[is.storage];
  if (oldStorage?.kind === 'memory' || isDeepStrictEqual(storagePlace(oldStorage), storagePlace(newStorage))) return;
  const path = was.storage === is.storage ? ['storages', is.storage] : [...at, 'revocation', 'storage'];
  const change =
    was.storage === is.storage
      ? `revocation.storage "${is.storage}" moved (another kind, URL, path or prefix)`
      : `revocation.storage changed from ${describeStorage(was.storage, oldStorage)} to ${describeStorage(is.storage, newStorage)}`;
  sink.add('revocation-storage-changed', old.name, 'after', path, `${change}; the stamps are where the old one keeps them and are no longer read, so ${reopens}`);
}
