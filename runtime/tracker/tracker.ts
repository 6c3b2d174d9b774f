import type { Lifetime } from '../lifetime.js';
import type { IncomingSession, OpenText } from './incoming.js';
import type { SessionSlot } from './slot.js';
import type { SlotSession } from './slot-session.js';
import type { TurnHolder } from './turns.js';

/**
 * What a session's token means (Ktor's `SessionTracker`): the sealed data itself (by value), or an id
 * whose data sits in a storage (by id). Each tracker owns its steps of a request: `load` turns a token into
 * envelope text, `stage` turns envelope text into what `set` keeps until commit, and the slot it makes for
 * each request persists and delivers what changed.
 */
export interface Tracker {
  /** Where the idle clock runs, and so every expiry and refresh decision of the session. */
  readonly lifetime: Lifetime;
  /**
   * Whether `load` is computation only (never a storage read, so never a promise): a request then opens the
   * token when the handler first uses the session, and a route that never does pays nothing for it.
   */
  readonly opensOnAccess: boolean;
  /**
   * Opens `token`, already checked for length and alphabet, and hands the envelope text to `open`, which
   * decodes it. Asynchronous only when a storage is read, after the id's turn (taken through `holder`).
   * Never throws for bad input; storage faults throw `SessionStorageError`, a turn that does not come `SessionBusyError`.
   */
  load<T>(token: string, open: OpenText<T>, holder: TurnHolder): IncomingSession<T> | Promise<IncomingSession<T>>;
  /**
   * What `set` keeps until commit for envelope `text`: by value the sealed token, by id the text the
   * storage will get. Throws `SessionTooLargeError` when it cannot be delivered.
   */
  stage(text: string): string;
  /** This session's state during one request. */
  createSlot(session: SlotSession): SessionSlot;
}
