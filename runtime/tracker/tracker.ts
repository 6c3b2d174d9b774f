import type { RejectionReason, RejectionSource } from '../events.js';

/**
 * What a session's token means (Ktor's `SessionTracker`): the sealed data itself (by value), or an id
 * whose data sits in a storage (by id). Either way the tracker turns a token into envelope text on read,
 * and envelope text into what is kept until commit on write.
 */
export interface Tracker {
  /** Whether tokens are ids into a storage. */
  readonly byId: boolean;
  /**
   * The envelope text behind `token`, which the caller has already checked for length and alphabet.
   * Asynchronous only when a storage is read. Never throws for bad input; storage faults throw
   * `SessionStorageError`.
   */
  resolve(token: string): Resolved | Promise<Resolved>;
  /**
   * What `set` keeps until commit for envelope `text`: by value the sealed token, by id the text the
   * storage will get. Throws `SessionTooLargeError` when it cannot be delivered.
   */
  pack(text: string): string;
}

export type Resolved = Opened | Refused;

export interface Opened {
  readonly ok: true;
  readonly text: string;
  /** Sealed under an older key of its ring: re-seal under the newest (security.md #16). */
  readonly stale: boolean;
  /** By id: the session id. */
  readonly id?: string;
  /** By id: the stored entry's version, which commit's conditional write compares (security.md #49, #50). */
  readonly version?: string;
}

export interface Refused {
  readonly ok: false;
  readonly reason: RejectionReason;
  readonly source: RejectionSource;
  /** By id, when the storage's entry itself is bad: the id whose entry to delete (security.md #43). */
  readonly id?: string;
  /** By id, with `id`: the version of the bad entry, so only that entry is deleted. */
  readonly version?: string;
}
