/**
 * `maxPerUser` (docs/spec.md, `index`): once a user has created one session more than the limit, the least
 * recently used others end. A step after the create, not inside it, so two sign-ins at once may each end one.
 */
import { parseEnvelope } from '../envelope.js';
import type { Lifetime } from '../lifetime.js';
import type { TimedStorage } from '../storage/timed-storage.js';
import { lastUse } from './session-index.js';

/** What the limit reads of the session's tracker. */
export interface LimitedSession {
  readonly session: string;
  readonly storage: TimedStorage;
  readonly lifetime: Lifetime;
}

/**
 * After the entry `created` was filed in index `index` at `now`, ends the least recently used others beyond
 * `limit`, each only as listed (a session written since is left alone), with one `revoked` event.
 */
export async function enforceLimit({ session, storage, lifetime }: LimitedSession, limit: number, index: string, created: string, now: number): Promise<void> {
  const idle = lifetime.expiry.idle;
  const others = (await storage.listIndex(index))
    .filter((entry) => entry.key !== created)
    .map((entry) => ({ entry, used: lastUse(parseEnvelope(entry.value)?.lastSeenAt ?? 0, entry.ttlSeconds, idle, now) }))
    .sort((a, b) => a.used - b.used);
  const over = others.length + 1 - limit;
  if (over <= 0) return;
  let revoked = 0;
  for (const { entry } of others.slice(0, over)) if (await storage.invalidateIndexed(entry.key, index, entry.version)) revoked += 1;
  if (revoked > 0) storage.emit({ type: 'revoked', session, reason: 'limit', count: revoked });
}
