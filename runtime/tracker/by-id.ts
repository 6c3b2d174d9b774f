import { SessionTooLargeError } from '../errors.js';
import { isWellFormedSessionId, storageKeyForId } from '../ids.js';
import type { BoundedStorage } from '../storage/bounded-storage.js';
import type { Transformer } from '../transform/transformer.js';
import { TransformChain } from './transform-chain.js';
import type { Resolved, Tracker } from './tracker.js';

/**
 * Longest stored value accepted or written, in characters. A longer entry is refused before parsing, so
 * a poisoned store cannot feed megabyte strings or deep nesting to `JSON.parse` (checklist #31).
 */
export const MAX_STORED_LENGTH = 256 * 1024;

/**
 * The token is a session id (sealed by the session's transformers, if any); the envelope lives in a
 * storage under `storageKeyForId(id)`, never under the id itself (Ktor's `SessionTrackerById`;
 * checklist #42).
 */
export class ByIdTracker implements Tracker {
  readonly byId = true;
  readonly #chain: TransformChain;

  constructor(
    readonly session: string,
    transformers: readonly Transformer[],
    readonly storage: BoundedStorage,
  ) {
    this.#chain = new TransformChain(transformers);
  }

  async resolve(token: string): Promise<Resolved> {
    const opened = this.#chain.unseal(token);
    if (!opened.ok) return { ok: false, reason: opened.reason, source: 'token' };
    const id = opened.text;
    // Before any storage call: paths, wildcards, prefixes and oversized input never reach a store (checklist #41).
    if (!isWellFormedSessionId(id)) return { ok: false, reason: 'malformed', source: 'token' };
    const text = await this.storage.read(storageKeyForId(id));
    // Never issued, expired or cleared: not adopted (checklist #35); a later `set` mints a new id.
    if (text === undefined) return { ok: false, reason: 'unknown_id', source: 'token' };
    if (text.length > MAX_STORED_LENGTH) return { ok: false, reason: 'too_large', source: 'storage', id };
    return { ok: true, text, stale: opened.stale, id };
  }

  pack(text: string): string {
    if (text.length > MAX_STORED_LENGTH) throw new SessionTooLargeError(this.session, text.length, MAX_STORED_LENGTH, 'storage');
    return text;
  }

  /** The token that carries `id`. */
  tokenFor(id: string): string {
    return this.#chain.seal(id);
  }

  write(id: string, text: string, ttlSeconds: number): Promise<void> {
    return this.storage.write(storageKeyForId(id), text, ttlSeconds);
  }

  discard(id: string): Promise<void> {
    return this.storage.invalidate(storageKeyForId(id));
  }

  /** Slides the entry's idle timeout; `text` is what was read, for storages that cannot touch. */
  extend(id: string, text: string, ttlSeconds: number): Promise<void> {
    return this.storage.touch(storageKeyForId(id), text, ttlSeconds);
  }
}
