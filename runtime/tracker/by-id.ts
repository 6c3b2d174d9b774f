import type { ExpiryDefinition } from '../definition.js';
import { parseEnvelope } from '../envelope.js';
import { SessionConflictError, SessionStorageError, SessionTooLargeError } from '../errors.js';
import { generateSessionId, isWellFormedSessionId, storageKeyForId, type SessionIdScheme } from '../ids.js';
import { Lifetime } from '../lifetime.js';
import type { StoredEntry } from '../storage/storage.js';
import type { IndexChange } from '../storage/storage.js';
import type { TimedStorage } from '../storage/timed-storage.js';
import { TransformChain } from '../transform/transform-chain.js';
import type { Transformer } from '../transform/transformer.js';
import type { IncomingSession, OpenText } from './incoming.js';
import type { SessionIndex } from './session-index.js';
import { enforceLimit } from './session-limit.js';
import { SessionSlot, type SlotSession } from './slot.js';
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
export class ByIdTracker implements Tracker {
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
      text.length > MAX_STORED_LENGTH ? { ok: false, reason: 'too_large', source: 'storage' } : open({ ok: true, text, stale: opened.stale, id, version }, 'storage');
    if (!incoming.ok && incoming.source === 'storage') await this.discard(id, version);
    return incoming;
  }

  /** The envelope text as the storage will hold it, once it is known to fit. */
  stage(text: string): string {
    if (text.length > MAX_STORED_LENGTH) throw new SessionTooLargeError(this.session, text.length, MAX_STORED_LENGTH, 'storage');
    return text;
  }

  createSlot(session: SlotSession): SessionSlot {
    return new ByIdSlot(session, this);
  }

  /** The token that carries `id`. */
  tokenFor(id: string): string {
    return this.#chain.seal(id);
  }

  /** Writes `text` as a new entry under a fresh id, never over an existing one; another id on a collision (security.md #44). */
  async create(text: string, ttlSeconds: number, maxSeconds: number, change?: IndexChange): Promise<string> {
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
      const id = this.ids.generate();
      if (await this.write(id, text, ttlSeconds, maxSeconds, undefined, change)) return id;
    }
    throw new SessionStorageError(this.storage.storageName, `${MAX_ID_ATTEMPTS} fresh session ids in a row were taken; the random source repeats`);
  }

  /**
   * Stores `text` under `id` for `ttlSeconds`, never past `maxSeconds` from now: a new entry only if `id`
   * is unused (`version` undefined), else only over the entry of `version`. Resolves to whether it did. With
   * `change`, the same storage step files the entry as it says.
   */
  write(id: string, text: string, ttlSeconds: number, maxSeconds: number, version: string | undefined, change?: IndexChange): Promise<boolean> {
    const options = { ...(version === undefined ? { ifAbsent: true } : { ifVersion: version }), maxSeconds };
    if (change === undefined) return this.storage.write(this.entryKey(id), text, ttlSeconds, options);
    return this.storage.writeIndexed(this.entryKey(id), text, ttlSeconds, change, options);
  }

  /** The entry of `id` as it stands, without sliding its idle timeout. */
  read(id: string): Promise<StoredEntry | undefined> {
    return this.storage.read(this.entryKey(id));
  }

  /**
   * Deletes the entry of `id`; with `version`, only that entry, resolving to whether it was still there. With
   * `index`, the entry leaves that index in the same step.
   */
  discard(id: string, version?: string, index?: string): Promise<boolean> {
    if (index === undefined) return this.storage.invalidate(this.entryKey(id), version);
    return this.storage.invalidateIndexed(this.entryKey(id), index, version);
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
}

/** An entry to delete at commit; with `version`, only if it still has that version; with `index`, taken out of it. */
interface RetiredEntry {
  readonly id: string;
  readonly version: string | undefined;
  readonly index: string | undefined;
}

/** A by-id session during one request: which entry it is written under, and which entries commit deletes. */
class ByIdSlot extends SessionSlot {
  readonly #tracker: ByIdTracker;
  /** The id the session is written under; minted at commit when undefined. */
  #id: string | undefined = undefined;
  /** The version of `#id`'s entry as loaded; commit writes only over that version. */
  #version: string | undefined = undefined;
  /** Entries commit deletes, cleared ones whatever they hold, regenerated ones only as loaded. */
  #retired: RetiredEntry[] | undefined = undefined;
  /** The index `#id`'s entry is filed under, as loaded: a write that changes the indexed value moves it. */
  #filed: string | undefined = undefined;

  constructor(session: SlotSession, tracker: ByIdTracker) {
    super(session);
    this.#tracker = tracker;
  }

  override adopt(incoming: IncomingSession<unknown>): void {
    super.adopt(incoming);
    if (!incoming.ok) return;
    this.#id = incoming.id;
    this.#version = incoming.version;
    this.#filed = this.#tracker.index?.keyOf(incoming.value);
  }

  override clear(): void {
    // A logout wins over any concurrent change: every entry this session had goes, whatever it holds.
    this.#retired = this.#retired?.map(({ id, index }) => ({ id, version: undefined, index }));
    this.#retire(false);
    super.clear();
  }

  /** A new id for the same data, creation time kept; the old entry is deleted at commit, only as loaded. */
  regenerate(now: number, assertOpen: () => void): void {
    assertOpen();
    if (this.value === undefined) return;
    if (this.change !== 'write') this.set(this.value, now);
    this.#retire(true);
    this.loaded = undefined;
    this.regenerated = true;
  }

  /**
   * The storage side of commit. Writes are conditional (security.md #44, #49, #50): a new entry only under
   * an unused id, a loaded one only over the version loaded, and a regenerated one's old entry is deleted
   * only as loaded; when another request got there first, nothing of this one stays and
   * `SessionConflictError` (409) says so. The new entry is written before the old one is deleted, so a
   * failed write hands out no new id and loses no old one (#46). An entry already past its absolute
   * lifetime is deleted rather than written (#52). A read-only request writes nothing: its read slid the
   * idle timeout (#51).
   */
  protected async store(now: number): Promise<void> {
    const lifetime = this.session.lifetime;
    const ttl = lifetime.storageTtl(this.createdAt, now, this.choice?.expiresAt);
    if (this.change === 'write' && ttl <= 0) {
      this.outlive();
      this.#retire(false);
    }
    let written: string | undefined;
    if (this.change === 'write') {
      const maxSeconds = lifetime.remaining(this.createdAt, now, this.choice?.expiresAt);
      const change = this.#tracker.indexChange(this.value, this.#filed);
      if (this.#id === undefined) {
        written = await this.#tracker.create(this.staged, ttl, maxSeconds, change);
        const limit = this.#tracker.index?.definition.maxPerUser;
        if (change !== undefined && limit !== undefined) await enforceLimit(this.#tracker, limit, change.join, this.#tracker.entryKey(written), now);
      }
      else if (await this.#tracker.write(this.#id, this.staged, ttl, maxSeconds, this.#version, change)) written = this.#id;
      else if (await this.#writeOverMigration(ttl, maxSeconds)) written = this.#id;
      else throw this.#conflict();
      this.#id = written;
    }
    if (this.change === 'none' && this.refresh === 'migrated') await this.#rewriteMigrated(now, ttl);
    for (const { id, version, index } of this.#retired ?? []) {
      if (await this.#tracker.discard(id, version, index)) continue;
      // Regenerated from data another request has since changed or cleared: the copy must not live on.
      if (written !== undefined) await this.#tracker.discard(written, undefined, this.#tracker.index?.keyOf(this.value));
      throw this.#conflict();
    }
  }

  /**
   * Writes back an entry read under an older payload version, migrated, over the version loaded. Losing that
   * race is no conflict: the request that won wrote the same migration or a newer change, which stands.
   */
  async #rewriteMigrated(now: number, ttl: number): Promise<void> {
    if (ttl <= 0 || this.loaded === undefined) return;
    const maxSeconds = this.session.lifetime.remaining(this.createdAt, now, this.choice?.expiresAt);
    const change = this.#tracker.indexChange(this.loaded.value, this.#filed);
    await this.#tracker.write(this.#id!, this.session.repack(this.loaded.envelope, now), ttl, maxSeconds, this.#version, change);
  }

  /**
   * A write refused because the entry changed since it was loaded goes through after all when the change was
   * only another process writing back the same migration this request made on read: the entry then holds what
   * this request's change is based on, so writing over it loses nothing (security.md #49 is about losing data).
   */
  async #writeOverMigration(ttl: number, maxSeconds: number): Promise<boolean> {
    const loaded = this.loaded;
    if (loaded?.migratedFrom === undefined) return false;
    const entry = await this.#tracker.read(this.#id!);
    if (entry === undefined) return false;
    // The other rewrite differs from this request's migration only in when it was seen.
    const lastSeenAt = parseEnvelope(entry.value)?.lastSeenAt;
    if (lastSeenAt === undefined || entry.value !== this.session.repack(loaded.envelope, lastSeenAt)) return false;
    return this.#tracker.write(this.#id!, this.staged, ttl, maxSeconds, entry.version, this.#tracker.indexChange(this.value, this.#filed));
  }

  override handle(): string | undefined {
    return this.#id === undefined ? undefined : this.#tracker.entryKey(this.#id);
  }

  /** A written session has the id `store` wrote it under; an unchanged one, the id it was loaded with. */
  protected token(): string {
    return this.#tracker.tokenFor(this.#id!);
  }

  /** Moves the current entry to those commit deletes: only as loaded (`asLoaded`), or whatever it holds. */
  #retire(asLoaded: boolean): void {
    if (this.#id !== undefined) (this.#retired ??= []).push({ id: this.#id, version: asLoaded ? this.#version : undefined, index: this.#filed });
    this.#id = undefined;
    this.#version = undefined;
    this.#filed = undefined;
  }

  #conflict(): SessionConflictError {
    const storage = this.#tracker.storage.storageName;
    this.session.emit({ type: 'conflict', session: this.session.name, storage });
    return new SessionConflictError(this.session.name, storage);
  }
}
