/**
 * What a session's slot (runtime/tracker/slot.ts) sees of its session, and what commit does with it: the
 * pipeline's side of the contract between a session (runtime/session-pipeline.ts) and its per-request state.
 */
import type { CookieOptions } from '../cookie-options.js';
import type { CookieChoice, Envelope } from '../envelope.js';
import type { RuntimeEvent } from '../events.js';
import type { FlashCodec, FlashValues } from '../flash.js';
import type { Lifetime } from '../lifetime.js';
import type { Transport } from '../transport/transport.js';

/** What commit does for a session. */
export type Change =
  /** Nothing asked: re-send if a refresh is due. */
  | 'none'
  /** `set` or `regenerate`: `staged` is ready. */
  | 'write'
  /** `clear`: delete the entry (by id) and expire the token. */
  | 'clear'
  /** The incoming session was refused: expire the token, as for every reason alike (security.md #24). */
  | 'reject';

/** What a slot uses of its session's pipeline (runtime/session-pipeline.ts), seen from the tracker's side. */
export interface SlotSession {
  readonly name: string;
  readonly transport: Transport;
  readonly lifetime: Lifetime;
  /** Whether the session has this library's envelope, whose creation time anchors the cookie's `Max-Age` (not Ktor's format). */
  readonly enveloped: boolean;
  /** The session's flash keys and their checks. */
  readonly flash: FlashCodec;
  /** `value` validated and serialized: an envelope's payload. Throws `SessionValidationError`. */
  serialize(value: unknown): string;
  /**
   * An envelope of `payload` and `flash`, for a session created at `createdAt` and set at `now` with the
   * cookie options a write chose, staged by the tracker (by value sealed, by id as the storage entry).
   * Throws `SessionTooLargeError`.
   */
  pack(createdAt: number, now: number, payload: string | undefined, flash: FlashValues, choice?: CookieChoice, checkedAt?: number): string;
  /** What a write's cookie options mean at `now`; throws `SessionUsageError` for options this session cannot take. */
  choose(options: CookieOptions, now: number): CookieChoice;
  /** A loaded envelope with its last-seen time moved to `now`, staged again. */
  repack(envelope: Envelope, now: number): string;
  emit(event: RuntimeEvent): void;
}
