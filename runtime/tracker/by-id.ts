import type { ExpiryDefinition } from '../definition.js';
import { SessionStorageError, SessionTooLargeError } from '../errors.js';
import { generateSessionId, isWellFormedSessionId, storageKeyForId, type SessionIdScheme } from '../ids.js';
import { Lifetime } from '../lifetime.js';
import type { IndexChange, IndexedWriteOptions, StoredEntry } from '../storage/storage.js';
import type { TimedStorage } from '../storage/timed-storage.js';
import { TransformChain } from '../transform/transform-chain.js';
import type { Transformer } from '../transform/transformer.js';
import { ByIdSlot, type ByIdEntries, type EntryRef } from './by-id-slot.js';
import type { IncomingSession, OpenText } from './incoming.js';
import type { SessionIndex } from './session-index.js';
import type { SessionSlot } from './slot.js';
import type { SlotSession } from './slot-session.js';
import type { Tracker } from './tracker.js';
import type { TurnHolder, TurnSource } from './turns.js';

/**
 * Longest stored value accepted or written, in characters. A longer entry is refused before parsing, so
 * a poisoned store cannot feed megabyte strings or deep nesting to `JSON.parse` (security.md #31).
 */
const MAX_STORED_LENGTH = 256 * 1024;

/**
 * 256-bit base64url ids, filed under the SHA-256 of the session's name and the id: store keys hold no usable
 * id (security.md #40, #42), and no session can read another's entries on a shared storage (security.md #55).
 */
const NATIVE_IDS: SessionIdScheme = { generate: generateSessionId, isWellFormed: isWellFormedSessionId, storageKey: storageKeyForId };

/** New ids tried when creation finds the id taken, which only a broken random source makes happen (security.md #44). */
const MAX_ID_ATTEMPTS = 3;

/**
 * The token is a session id (sealed by the session's transformers, if any); the envelope lives in a
 * storage under `storageKeyForId(session, id)`, never under the id itself (Ktor's `SessionTrackerById`;
 * security.md #42), unless the session is in Ktor's format, whose ids are Ktor's. Its idle clock is the
 * entry's TTL, slid by reads at most once per `touchAfter`.
 */
export class ByIdTracker implements Tracker, ByIdEntries {
  readonly lifetime: Lifetime;
  /** Loading reads the storage: before the handler, or at `load` for `load: lazy`. */
  readonly opensOnAccess = false;
  readonly #chain: TransformChain;

  constructor(
    readonly session: string,
    transformers: readonly Transformer[],
    readonly storage: TimedStorage,
    expiry: ExpiryDefinition,
    readonly turns: TurnSource,
    readonly ids: SessionIdScheme = NATIVE_IDS,
    /** `index:` in the spec: every write files the entry under its user, every delete takes it out, in the same storage step. */
    readonly index?: SessionIndex,
  ) {
    this.lifetime = new Lifetime(expiry, 'stored');
    this.#chain = new TransformChain(transformers);
  }

  /**
   * Waits for the id's turn (runtime/tracker/turns.ts), which `holder` keeps until the request ends, then
   * reads the entry and, in the same storage call, slides its idle timeout once `touchAfter` has passed
   * since it last slid: a read-only request costs one round trip and never rewrites the data (security.md
   * #51, #54). Data the storage returned that cannot be used is deleted, not left to fail again (#43).
   */
  async load<T>(token: string, open: OpenText<T>, holder: TurnHolder): Promise<IncomingSession<T>> {
    const opened = this.#chain.unseal(token);
    if (!opened.ok) return { ok: false, reason: opened.reason, source: 'token' };
    const id = opened.text;
    // Before any storage call: paths, wildcards, prefixes and oversized input never reach a store (security.md #41).
    if (!this.ids.isWellFormed(id)) return { ok: false, reason: 'malformed', source: 'token' };
    const key = this.entryKey(id);
    await holder.takeTurn(this.turns, key);
    const entry = await this.storage.read(key, this.lifetime.slideSeconds, this.lifetime.touchAfter);
    // Never issued, expired or cleared: not adopted (security.md #35); a later `set` mints a new id.
    if (entry === undefined) return { ok: false, reason: 'unknown_id', source: 'token' };
    const { value: text, version } = entry;
    const incoming: IncomingSession<T> =
      text.length > MAX_STORED_LENGTH ? { ok: false, reason: 'too_large', source: 'storage' } : open({ ok: true, text, stale: opened.stale, id, key, version }, 'storage');
    if (!incoming.ok && incoming.source === 'storage') await this.discard({ id, key }, version);
    return incoming;
  }

  /** The envelope text as the storage will hold it, once it is known to fit. */
  stage(text: string): string {
    if (text.length > MAX_STORED_LENGTH) throw new SessionTooLargeError(this.session, text.length, MAX_STORED_LENGTH, 'storage');
    return text;
  }

  /** The session during one request: its entry written and retired at commit (runtime/tracker/by-id-slot.ts). */
  createSlot(session: SlotSession): SessionSlot {
    return new ByIdSlot(session, this);
  }

  /** The token that carries `id`. */
  tokenFor(id: string): string {
    return this.#chain.seal(id);
  }

  /** Writes `text` as a new entry under a fresh id, never over an existing one; another id on a collision (security.md #44). */
  async create(text: string, ttlSeconds: number, maxSeconds: number, change?: IndexChange): Promise<EntryRef> {
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
      const entry = this.entryOf(this.ids.generate());
      if (await this.write(entry, text, ttlSeconds, maxSeconds, undefined, change)) return entry;
    }
    throw new SessionStorageError(this.storage.storageName, `${MAX_ID_ATTEMPTS} fresh session ids in a row were taken; the random source repeats`);
  }

  /**
   * Stores `text` as `entry` for `ttlSeconds`, never past `maxSeconds` from now: a new entry only if the id
   * is unused (`version` undefined), else only over the entry of `version`. Resolves to whether it did. With
   * `change`, the same storage step files the entry as it says.
   */
  write(entry: EntryRef, text: string, ttlSeconds: number, maxSeconds: number, version: string | undefined, change?: IndexChange): Promise<boolean> {
    const options: IndexedWriteOptions = version === undefined ? { ifAbsent: true, maxSeconds } : { ifVersion: version, maxSeconds };
    if (change === undefined) return this.storage.write(entry.key, text, ttlSeconds, options);
    return this.storage.writeIndexed(entry.key, text, ttlSeconds, change, options);
  }

  /** `entry` as it stands, without sliding its idle timeout. */
  read(entry: EntryRef): Promise<StoredEntry | undefined> {
    return this.storage.read(entry.key);
  }

  /**
   * Deletes `entry`; with `version`, only that entry, resolving to whether it was still there. With
   * `index`, the entry leaves that index in the same step.
   */
  discard(entry: EntryRef, version?: string, index?: string): Promise<boolean> {
    if (index === undefined) return this.storage.invalidate(entry.key, version);
    return this.storage.invalidateIndexed(entry.key, index, version);
  }

  /**
   * How a write of `payload` files its entry, for an entry filed under `filed` until now: `undefined` for a
   * session without `index:`, or a write that holds no indexed value (flash values alone).
   */
  indexChange(payload: unknown, filed: string | undefined): IndexChange | undefined {
    const join = this.index?.keyOf(payload);
    if (join === undefined) return undefined;
    return filed === undefined || filed === join ? { join } : { join, leave: filed };
  }

  /** The key `id`'s entry is filed under: what the admin API calls the session's handle. */
  entryKey(id: string): string {
    return this.ids.storageKey(this.session, id);
  }

  /** `id` with its entry's key, hashed once. */
  entryOf(id: string): EntryRef {
    return { id, key: this.entryKey(id) };
  }
}
