/**
 * What loading a session's token gives: the envelope text a tracker opened, then the session decoded from it.
 */
import type { Envelope } from '../envelope.js';
import type { RejectionReason, RejectionSource } from '../events.js';
import type { FlashValues } from '../flash.js';
import type { MigrationFailure } from '../payload-versions.js';

/** Decodes envelope text a tracker opened, from the client's token or from the storage. */
export type OpenText<T> = (opened: Opened, source: RejectionSource) => IncomingSession<T>;

export interface Opened {
  readonly ok: true;
  readonly text: string;
  /** Sealed under an older key of its ring: re-seal under the newest (security.md #16). */
  readonly stale: boolean;
  /** By id: the session id. */
  readonly id?: string;
  /** By id: the storage key of `id`'s entry, hashed once per request (runtime/ids.ts). */
  readonly key?: string;
  /** By id: the stored entry's version, which commit's conditional write compares (security.md #49, #50). */
  readonly version?: string;
}

export interface Refused {
  readonly ok: false;
  readonly reason: RejectionReason;
  readonly source: RejectionSource;
  /**
   * A session that was live once and is past its `maxAge` or `idle` now: reported as the lifecycle `expired`
   * event too. Not set for a stamp from the future, which no live session ever had (security.md #22).
   */
  readonly outlived?: true;
  /** `migration_failed`: the step that failed, for the `rejected` event. */
  readonly migration?: MigrationFailure;
}

/** An incoming session that opened, verified, is alive and matches its schema. */
export interface LoadedSession<T> {
  readonly ok: true;
  /** `undefined` for a session that holds only flash values. */
  readonly value: T | undefined;
  /** Its flash values that match their schemas. */
  readonly flash: FlashValues;
  readonly envelope: Envelope;
  /** By id: the session id. */
  readonly id?: string;
  /** By id: the storage key of `id`'s entry. */
  readonly key?: string;
  /** By id: the version of the stored entry, for commit's conditional write. */
  readonly version?: string;
  /** Sealed under an older key: re-seal under the newest in this response (security.md #16). */
  readonly stale: boolean;
  /**
   * Written under this older payload version and migrated (runtime/payload-versions.ts): `value` and
   * `envelope` hold the current version's payload, which commit writes back in this response.
   */
  readonly migratedFrom?: number;
  /** `revocation:` sessions: its user's stamp was read in this request; commit re-seals it with the check time. */
  readonly rechecked?: true;
}

/** What the request's token for a session turned out to be: a loaded session, or why it was refused. */
export type IncomingSession<T> = LoadedSession<T> | Refused;
