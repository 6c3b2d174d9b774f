/**
 * A by-id session's index (`index:` in the spec, docs/storage.md): the payload path that files each entry
 * under its user, as the storage's index key. The rules have checked that the path is a required string in
 * every payload version, so a payload that passed its schema always has one.
 */
import { indexKeyFor } from '../ids.js';

/** A session's `index`, `maxPerUser` and `summary` (runtime/definition.ts), as the index reads them. */
export interface IndexSettings {
  /** The path of a required string in the payload, e.g. `['userId']`. */
  readonly path: readonly string[];
  readonly maxPerUser?: number;
  readonly summary?: readonly (readonly string[])[];
}

export class SessionIndex {
  constructor(
    readonly session: string,
    readonly definition: IndexSettings,
  ) {}

  /**
   * The indexed value of `payload` (a user id), or `undefined` for none (a session holding flash values alone).
   *
   * @example
   * new SessionIndex('user', { path: ['userId'] }).valueOf({ userId: 'ada' }); // 'ada'
   */
  valueOf(payload: unknown): string | undefined {
    const value = pathValue(payload, this.definition.path);
    return typeof value === 'string' ? value : undefined;
  }

  /** The index key `payload` is filed under, or `undefined` when it holds no indexed value. */
  keyOf(payload: unknown): string | undefined {
    const value = this.valueOf(payload);
    return value === undefined ? undefined : this.keyFor(value);
  }

  /** The index key of the indexed value `value`. */
  keyFor(value: string): string {
    return indexKeyFor(this.session, value);
  }

  /** What the admin API shows of `payload`: each summary path's value, by its dotted path. */
  summaryOf(payload: unknown): Record<string, unknown> {
    return Object.fromEntries((this.definition.summary ?? []).map((path) => [path.join('.'), pathValue(payload, path)]));
  }
}

/**
 * When a stored session was last used at `now`: its last write (`lastSeenAt`), or the last read that slid
 * its TTL back to `idle`, which a read records only in the TTL (runtime/lifetime.ts, stored idle clock).
 *
 * @example
 * lastUse(1000, 3000, 3600, 2000); // 1400: slid to 3600 s at 1400, 3000 s are left at 2000
 */
export function lastUse(lastSeenAt: number, ttlSeconds: number, idle: number | undefined, now: number): number {
  return idle === undefined ? lastSeenAt : Math.max(lastSeenAt, now - (idle - ttlSeconds));
}

/** The value at `path` in `value`, own properties only (a payload is plain JSON data). */
function pathValue(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const step of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, step)) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}
