import { parseEnvelope } from '../envelope.js';
import { SessionConflictError } from '../errors.js';
import type { IndexChange, StoredEntry } from '../storage/storage.js';
import type { IncomingSession } from './incoming.js';
import type { SessionIndex } from './session-index.js';
import { enforceLimit, type LimitedSession } from './session-limit.js';
import { SessionSlot } from './slot.js';
import type { SlotSession } from './slot-session.js';

/** A session id with the key its entry is filed under (runtime/ids.ts), hashed once per request. */
export interface EntryRef {
  readonly id: string;
  readonly key: string;
}

/** What a by-id slot uses of its tracker (runtime/tracker/by-id.ts): the session's entries, by id. */
export interface ByIdEntries extends LimitedSession {
  readonly index?: SessionIndex | undefined;
  create(text: string, ttlSeconds: number, maxSeconds: number, change?: IndexChange): Promise<EntryRef>;
  write(entry: EntryRef, text: string, ttlSeconds: number, maxSeconds: number, version: string | undefined, change?: IndexChange): Promise<boolean>;
  read(entry: EntryRef): Promise<StoredEntry | undefined>;
  discard(entry: EntryRef, version?: string, index?: string): Promise<boolean>;
  indexChange(payload: unknown, filed: string | undefined): IndexChange | undefined;
  entryOf(id: string): EntryRef;
  tokenFor(id: string): string;
}

/** An entry to delete at commit; with `version`, only if it still has that version; with `index`, taken out of it. */
interface RetiredEntry {
  readonly entry: EntryRef;
  readonly version: string | undefined;
  readonly index: string | undefined;
}

/** A by-id session during one request: which entry it is written under, and which entries commit deletes. */
export class ByIdSlot extends SessionSlot {
  protected override readonly keepsToken = true;
  readonly #tracker: ByIdEntries;
  /** The id the session is written under, with its entry's key; minted at commit when undefined. */
  #entry: EntryRef | undefined = undefined;
  /** The version of `#entry` as loaded; commit writes only over that version. */
  #version: string | undefined = undefined;
  /** Entries commit deletes, cleared ones whatever they hold, regenerated ones only as loaded. */
  #retired: RetiredEntry[] | undefined = undefined;
  /** The index `#entry` is filed under, as loaded: a write that changes the indexed value moves it. */
  #filed: string | undefined = undefined;

  constructor(session: SlotSession, tracker: ByIdEntries) {
    super(session);
    this.#tracker = tracker;
  }

  override adopt(incoming: IncomingSession<unknown>): void {
    super.adopt(incoming);
    if (!incoming.ok) return;
    if (incoming.id !== undefined) this.#entry = incoming.key === undefined ? this.#tracker.entryOf(incoming.id) : { id: incoming.id, key: incoming.key };
    this.#version = incoming.version;
    this.#filed = this.#tracker.index?.keyOf(incoming.value);
  }

  override clear(): void {
    // A logout wins over any concurrent change: every entry this session had goes, whatever it holds.
    this.#retired = this.#retired?.map(({ entry, index }) => ({ entry, version: undefined, index }));
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
    let written: EntryRef | undefined;
    if (this.change === 'write') {
      const maxSeconds = lifetime.remaining(this.createdAt, now, this.choice?.expiresAt);
      const change = this.#tracker.indexChange(this.value, this.#filed);
      if (this.#entry === undefined) {
        written = await this.#tracker.create(this.staged, ttl, maxSeconds, change);
        const limit = this.#tracker.index?.definition.maxPerUser;
        if (change !== undefined && limit !== undefined) await enforceLimit(this.#tracker, limit, change.join, written.key, now);
      }
      else if (await this.#tracker.write(this.#entry, this.staged, ttl, maxSeconds, this.#version, change)) written = this.#entry;
      else if (await this.#writeOverMigration(ttl, maxSeconds)) written = this.#entry;
      else throw this.#conflict();
      this.#entry = written;
    }
    if (this.change === 'none' && this.refresh === 'migrated') await this.#rewriteMigrated(now, ttl);
    for (const { entry, version, index } of this.#retired ?? []) {
      if (await this.#tracker.discard(entry, version, index)) continue;
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
    await this.#tracker.write(this.#entry!, this.session.repack(this.loaded.envelope, now), ttl, maxSeconds, this.#version, change);
  }

  /**
   * A write refused because the entry changed since it was loaded goes through after all when the change was
   * only another process writing back the same migration this request made on read: the entry then holds what
   * this request's change is based on, so writing over it loses nothing (security.md #49 is about losing data).
   */
  async #writeOverMigration(ttl: number, maxSeconds: number): Promise<boolean> {
    const loaded = this.loaded;
    if (loaded?.migratedFrom === undefined) return false;
    const entry = await this.#tracker.read(this.#entry!);
    if (entry === undefined) return false;
    // The other rewrite differs from this request's migration only in when it was seen.
    const lastSeenAt = parseEnvelope(entry.value)?.lastSeenAt;
    if (lastSeenAt === undefined || entry.value !== this.session.repack(loaded.envelope, lastSeenAt)) return false;
    return this.#tracker.write(this.#entry!, this.staged, ttl, maxSeconds, entry.version, this.#tracker.indexChange(this.value, this.#filed));
  }

  override handle(): string | undefined {
    return this.#entry?.key;
  }

  /** A written session has the id `store` wrote it under; an unchanged one, the id it was loaded with. */
  protected token(): string {
    return this.#tracker.tokenFor(this.#entry!.id);
  }

  /** Moves the current entry to those commit deletes: only as loaded (`asLoaded`), or whatever it holds. */
  #retire(asLoaded: boolean): void {
    if (this.#entry !== undefined) (this.#retired ??= []).push({ entry: this.#entry, version: asLoaded ? this.#version : undefined, index: this.#filed });
    this.#entry = undefined;
    this.#version = undefined;
    this.#filed = undefined;
  }

  #conflict(): SessionConflictError {
    const storage = this.#tracker.storage.storageName;
    this.session.emit({ type: 'conflict', session: this.session.name, storage });
    return new SessionConflictError(this.session.name, storage);
  }
}
