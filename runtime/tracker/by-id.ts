import { SessionTooLargeError } from '../errors.js';
import { generateSessionId, isWellFormedSessionId, storageKeyForId } from '../ids.js';
import type { BoundedStorage } from '../storage/bounded-storage.js';
import type { Transformer } from '../transform/transformer.js';
import { TransformChain } from './transform-chain.js';
import type { Resolved, Tracker } from './tracker.js';

/**
 * Longest stored value accepted or written, in characters. A longer entry is refused before parsing, so
 * a poisoned store cannot feed megabyte strings or deep nesting to `JSON.parse` (security.md #31).
 */
const MAX_STORED_LENGTH = 256 * 1024;

/** How a session tracked by id names its entries: this library's ids, or Ktor's (runtime/ktor/format.ts). */
export interface SessionIdScheme {
  generate(): string;
  /** Checked before any storage call (security.md #41). */
  isWellFormed(id: string): boolean;
  /** The key the storage files the entry of `id` under, for the session named `session`. */
  storageKey(session: string, id: string): string;
}

/**
 * 256-bit base64url ids, filed under the SHA-256 of the session's name and the id: store keys hold no usable
 * id (security.md #40, #42), and no session can read another's entries on a shared storage (security.md #55).
 */
const NATIVE_IDS: SessionIdScheme = { generate: generateSessionId, isWellFormed: isWellFormedSessionId, storageKey: storageKeyForId };

/**
 * The token is a session id (sealed by the session's transformers, if any); the envelope lives in a
 * storage under `storageKeyForId(session, id)`, never under the id itself (Ktor's `SessionTrackerById`;
 * security.md #42), unless the session is in Ktor's format, whose ids are Ktor's.
 */
export class ByIdTracker implements Tracker {
  readonly byId = true;
  readonly #chain: TransformChain;

  constructor(
    readonly session: string,
    transformers: readonly Transformer[],
    readonly storage: BoundedStorage,
    /** The idle timeout in seconds, slid by every read; `undefined` when the session has none. */
    readonly idleSeconds: number | undefined,
    readonly ids: SessionIdScheme = NATIVE_IDS,
  ) {
    this.#chain = new TransformChain(transformers);
  }

  /** A fresh id for a new entry. */
  newId(): string {
    return this.ids.generate();
  }

  /**
   * Reads the entry and, in the same storage call, slides its idle timeout: a read-only request costs one
   * round trip and never rewrites the data (security.md #51, #54).
   */
  async resolve(token: string): Promise<Resolved> {
    const opened = this.#chain.unseal(token);
    if (!opened.ok) return { ok: false, reason: opened.reason, source: 'token' };
    const id = opened.text;
    // Before any storage call: paths, wildcards, prefixes and oversized input never reach a store (security.md #41).
    if (!this.ids.isWellFormed(id)) return { ok: false, reason: 'malformed', source: 'token' };
    const entry = await this.storage.read(this.#key(id), this.idleSeconds);
    // Never issued, expired or cleared: not adopted (security.md #35); a later `set` mints a new id.
    if (entry === undefined) return { ok: false, reason: 'unknown_id', source: 'token' };
    const { value: text, version } = entry;
    if (text.length > MAX_STORED_LENGTH) return { ok: false, reason: 'too_large', source: 'storage', id, version };
    return { ok: true, text, stale: opened.stale, id, version };
  }

  pack(text: string): string {
    if (text.length > MAX_STORED_LENGTH) throw new SessionTooLargeError(this.session, text.length, MAX_STORED_LENGTH, 'storage');
    return text;
  }

  /** The token that carries `id`. */
  tokenFor(id: string): string {
    return this.#chain.seal(id);
  }

  /**
   * Stores `text` under `id` for `ttlSeconds`, never past `maxSeconds` from now: a new entry only if `id`
   * is unused (`version` undefined), else only over the entry of `version`. Resolves to whether it did.
   */
  write(id: string, text: string, ttlSeconds: number, maxSeconds: number, version: string | undefined): Promise<boolean> {
    const condition = version === undefined ? { ifAbsent: true } : { ifVersion: version };
    return this.storage.write(this.#key(id), text, ttlSeconds, { ...condition, maxSeconds });
  }

  #key(id: string): string {
    return this.ids.storageKey(this.session, id);
  }

  /** Deletes the entry of `id`; with `version`, only that entry, resolving to whether it was still there. */
  discard(id: string, version?: string): Promise<boolean> {
    return this.storage.invalidate(this.#key(id), version);
  }
}
