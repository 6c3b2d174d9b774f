import type { Context } from 'koa';
import { epochSeconds, type Clock } from './clock.js';
import { SessionConflictError, SessionStateError, SessionStorageError, SessionUsageError } from './errors.js';
import type { RefreshReason } from './events.js';
import { cookieMaxAge, isRefreshDue, remainingLifetime, storageTtl } from './lifetime.js';
import type { Migration } from './ktor/migration.js';
import type { LoadedSession, LoadResult, SessionProvider } from './provider.js';
import type { ByIdTracker } from './tracker/by-id.js';
import { CookieTransport, parseCookies } from './transport/cookie.js';
import { ErrorHeaders, type ResponseHeaders } from './transport/response-headers.js';
import type { CookieJar } from './transport/transport.js';

/**
 * `ctx.sessions`: typed access to every session of the spec during one request. Incoming sessions are
 * loaded before the handler runs, so reads are synchronous; changes are validated and sealed when made
 * and written after the handler, before the response leaves.
 *
 * @example
 * const user = ctx.sessions.get('user');
 * if (!user) ctx.throw(401);
 * ctx.sessions.set('user', { ...user, roles: ['admin'] });
 */
export interface Sessions<M extends object, ById extends keyof M = never> {
  /** The payload, or `undefined` when the request carried none (or a bad one). Treat it as read-only. */
  get<K extends keyof M & string>(name: K): M[K] | undefined;
  /**
   * Replaces the payload. Validates it against the schema now (`SessionValidationError` naming the JSON
   * path), serializes and seals it now (`SessionTooLargeError` if it cannot be delivered); written after
   * the handler. Throws `SessionStateError` once the response is committed.
   */
  set<K extends keyof M & string>(name: K, value: M[K]): void;
  /** Removes the session: by id, its entry is deleted at commit; the cookie or header is expired. Idempotent. */
  clear<K extends keyof M & string>(name: K): void;
  /** The payload, or `create()`'s result, set. */
  getOrSet<K extends keyof M & string>(name: K, create: () => M[K]): M[K];
  /** By id: a new id for the same data (creation time kept); the old id's entry is deleted at commit. */
  regenerate<K extends ById & string>(name: K): void;
}

/** What every request shares: the providers in spec order, looked up by name. */
export interface InstalledSessions {
  readonly providers: readonly SessionProvider<unknown>[];
  readonly indexByName: ReadonlyMap<string, number>;
  /** Names of cookie-borne sessions: the only cookies the parser keeps. */
  readonly cookieNames: ReadonlySet<string>;
  readonly clock: Clock;
  /** Called when a `secure: auto` cookie goes out without `Secure` although the request claims HTTPS through an untrusted proxy header. */
  readonly warnUntrustedHttps: (session: string) => void;
  /** `migrateFrom` pairs, checked at start-up (runtime/ktor/migration.ts). */
  readonly migrations: readonly Migration[];
}

/** What commit does for a session. */
const enum Change {
  /** Nothing asked: refresh if due. */
  None,
  /** `set` or `regenerate`: `packed` is ready. */
  Write,
  /** `clear`: delete the entry (by id) and expire the token. */
  Clear,
  /** The incoming session was refused: expire the token, as for every reason alike (security.md #24). */
  Reject,
}

/** One session's state during one request; created only for sessions the request carries or the handler uses. */
class SessionSlot {
  value: unknown = undefined;
  /** The incoming session, while it is still the current one (`clear` forgets it). */
  loaded: LoadedSession<unknown> | undefined = undefined;
  change = Change.None;
  /** Set by `set`: by value the sealed token, by id the envelope text for the storage. */
  packed = '';
  createdAt = 0;
  /** By id: the id the session is written under; minted at commit when undefined. */
  id: string | undefined = undefined;
  /** By id: the version of `id`'s entry as loaded; commit writes only over that version. */
  version: string | undefined = undefined;
  /** By id: entries commit deletes, cleared ones whatever they hold, regenerated ones only as loaded. */
  retired: RetiredEntry[] | undefined = undefined;
  /** Set at commit when a refresh is due. */
  refresh: RefreshReason | undefined = undefined;
}

/** An entry to delete at commit; with `version`, only if it still has that version. */
interface RetiredEntry {
  readonly id: string;
  readonly version: string | undefined;
}

/** New ids tried when creation finds the id taken, which only a broken random source makes happen (security.md #44). */
const MAX_ID_ATTEMPTS = 3;

const NO_COOKIES: CookieJar = new Map();

/** The per-request `Sessions`; `createSessionsMiddleware` makes one per request. */
export class RequestSessions implements Sessions<Record<string, unknown>, string> {
  readonly #installed: InstalledSessions;
  readonly #ctx: Context;
  /** By provider index; allocated on first use, so a request that touches no session allocates nothing more. */
  #slots: (SessionSlot | undefined)[] | undefined = undefined;
  #committed = false;

  constructor(installed: InstalledSessions, ctx: Context) {
    this.#installed = installed;
    this.#ctx = ctx;
  }

  get(name: string): unknown {
    return this.#slot(name).value;
  }

  set(name: string, value: unknown): void {
    const index = this.#indexOf(name);
    this.#assertOpen(name);
    const slot = this.#slotAt(index);
    const now = epochSeconds(this.#installed.clock);
    // Updating a live session keeps its creation time: the absolute lifetime is never extended (security.md #39).
    const createdAt = slot.loaded?.envelope.createdAt ?? (slot.change === Change.Write ? slot.createdAt : now);
    stage(slot, this.#installed.providers[index]!.pack(value, createdAt, now), createdAt);
    slot.value = value;
  }

  clear(name: string): void {
    const slot = this.#slot(name);
    this.#assertOpen(name);
    // A logout wins over any concurrent change: every entry this session had goes, whatever it holds.
    slot.retired = slot.retired?.map(({ id }) => ({ id, version: undefined }));
    retire(slot, false);
    slot.loaded = undefined;
    slot.value = undefined;
    slot.change = Change.Clear;
  }

  getOrSet(name: string, create: () => unknown): unknown {
    const value = this.get(name);
    if (value !== undefined) return value;
    const created = create();
    this.set(name, created);
    return created;
  }

  regenerate(name: string): void {
    const index = this.#indexOf(name);
    const provider = this.#installed.providers[index]!;
    if (!provider.tracker.byId) {
      throw new SessionUsageError(`session "${name}" travels by value; regenerate() is for sessions tracked by id (storage: in sessions.yaml)`);
    }
    this.#assertOpen(name);
    const slot = this.#slotAt(index);
    if (slot.value === undefined) return;
    if (slot.change !== Change.Write) {
      const createdAt = slot.loaded!.envelope.createdAt;
      stage(slot, provider.pack(slot.value, createdAt, epochSeconds(this.#installed.clock)), createdAt);
    }
    retire(slot, true);
    slot.loaded = undefined;
  }

  /**
   * Loads every session whose cookie or header is present; nothing else (security.md #1). Returns
   * `undefined` when no storage was involved, so the common case costs no extra tick. Throws
   * `SessionStorageError` when a storage fails.
   */
  load(): Promise<void> | undefined {
    const { providers, cookieNames, clock } = this.#installed;
    const header = cookieNames.size > 0 ? this.#ctx.req.headers.cookie : undefined;
    const cookies = header === undefined || header === '' ? NO_COOKIES : parseCookies(header, cookieNames);
    let now = -1;
    let pending: Promise<void>[] | undefined;
    for (let index = 0; index < providers.length; index += 1) {
      const tokens = providers[index]!.transport.read(this.#ctx.req.headers, cookies);
      if (tokens === undefined) continue;
      if (now === -1) now = epochSeconds(clock);
      const slot = this.#slotAt(index);
      const result = providers[index]!.open(tokens, now);
      if (result instanceof Promise) (pending ??= []).push(result.then((settled) => adopt(slot, settled)));
      else adopt(slot, result);
    }
    if (pending !== undefined) return Promise.all(pending).then(() => this.#migrate());
    this.#migrate();
    return undefined;
  }

  /**
   * `migrateFrom` (docs/ktor.md): a valid Ktor-format session that arrived without the native session taking
   * it over is re-issued as that session, and its own cookie expired unless `keepSource`. Runs after loading,
   * before the handler, so the handler already sees the native session. If re-issuing fails (the native token
   * would be too large), the user stays on the Ktor session and a `migration_failed` event says why.
   */
  #migrate(): void {
    const slots = this.#slots;
    if (slots === undefined) return;
    for (const { target, source, keepSource } of this.#installed.migrations) {
      const from = slots[source]?.loaded;
      if (from === undefined || slots[target]?.loaded !== undefined) continue;
      const provider = this.#installed.providers[target]!;
      const sourceName = this.#installed.providers[source]!.name;
      try {
        this.set(provider.name, from.value);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        provider.emit({ type: 'migration_failed', session: provider.name, from: sourceName, error: typeof code === 'string' ? code : 'UNKNOWN' });
        continue;
      }
      if (!keepSource) this.clear(sourceName);
      provider.emit({ type: 'migrated', session: provider.name, from: sourceName, keptSource: keepSource });
    }
  }

  /**
   * Writes what changed: storage first, then headers, so a storage fault (`SessionStorageError`, a 503)
   * leaves no `Set-Cookie` pointing at unsaved data (security.md #46). Afterwards changes throw.
   */
  commit(): Promise<void> | undefined {
    this.#committed = true;
    const slots = this.#slots;
    if (slots === undefined) return undefined;
    const nowMs = this.#installed.clock();
    const now = Math.floor(nowMs / 1000);
    if (this.#ctx.headerSent) return this.#refuseLateChanges(slots);
    let pending: Promise<void>[] | undefined;
    for (let index = 0; index < slots.length; index += 1) {
      const slot = slots[index];
      if (slot === undefined) continue;
      const provider = this.#installed.providers[index]!;
      planRefresh(provider, slot, now);
      if (provider.tracker.byId) (pending ??= []).push(persist(provider, slot, now));
    }
    if (pending === undefined) {
      this.#deliver(this.#ctx, slots, now, nowMs);
      return undefined;
    }
    return Promise.all(pending).then(() => this.#deliver(this.#ctx, slots, now, nowMs));
  }

  /** Loading failed: nothing is written, and changes throw. */
  close(): void {
    this.#committed = true;
  }

  /**
   * The handler threw: nothing is written and later changes throw, but refused tokens are still expired,
   * through the error's `headers`, which Koa's error response keeps (security.md #24: a bad cookie is
   * expired whatever the status).
   */
  abort(error: unknown): void {
    this.#committed = true;
    const slots = this.#slots;
    if (slots === undefined || !(error instanceof Error)) return;
    const headers = new ErrorHeaders(this.#ctx.secure);
    for (const slot of slots) {
      if (slot !== undefined && slot.change !== Change.Reject) slot.change = Change.None;
    }
    this.#deliver(headers, slots, 0, 0);
    headers.attachTo(error);
  }

  /** Headers for every session used: expiries, tokens written or refreshed, `Vary` and `Cache-Control`. */
  #deliver(response: ResponseHeaders, slots: readonly (SessionSlot | undefined)[], now: number, nowMs: number): void {
    let sent = false;
    for (let index = 0; index < slots.length; index += 1) {
      const slot = slots[index];
      if (slot === undefined) continue;
      const provider = this.#installed.providers[index]!;
      const { transport, tracker } = provider;
      // The response depends on this session, present or not (security.md #12).
      response.vary(transport.vary);
      if (slot.change === Change.Clear || slot.change === Change.Reject) {
        transport.expire(response);
        sent = true;
      } else if (slot.change === Change.Write || slot.refresh !== undefined) {
        const token = tracker.byId ? tracker.tokenFor(slot.id!) : slot.packed;
        transport.send(response, token, cookieMaxAge(slot.createdAt, provider.definition.expiry, now), nowMs);
        sent = true;
        if (transport instanceof CookieTransport && transport.followsRequestSecurity && !response.secure && claimsUntrustedHttps(this.#ctx)) {
          this.#installed.warnUntrustedHttps(provider.name);
        }
      }
      if (slot.refresh !== undefined) provider.emit({ type: 'refreshed', session: provider.name, reason: slot.refresh });
    }
    // Responses carrying a session token must not be cached, refresh-only ones included (security.md #12).
    if (sent) response.set('Cache-Control', 'no-store');
  }

  /** The app sent the headers itself: a pending write could never reach the client, so it is an error. */
  #refuseLateChanges(slots: readonly (SessionSlot | undefined)[]): undefined {
    const changed = slots.findIndex((slot) => slot?.change === Change.Write || slot?.change === Change.Clear);
    if (changed !== -1) {
      throw new SessionStateError(
        `session "${this.#installed.providers[changed]!.name}" changed after the response headers were sent; set or clear sessions before writing the response`,
      );
    }
    return undefined;
  }

  #assertOpen(name: string): void {
    if (this.#committed) {
      throw new SessionStateError(
        `session "${name}" changed after the response was committed; change sessions before the middleware chain finishes (await async work in the handler)`,
      );
    }
  }

  #slot(name: string): SessionSlot {
    return this.#slotAt(this.#indexOf(name));
  }

  #slotAt(index: number): SessionSlot {
    const slots = (this.#slots ??= new Array<SessionSlot | undefined>(this.#installed.providers.length));
    return (slots[index] ??= new SessionSlot());
  }

  #indexOf(name: string): number {
    const index = this.#installed.indexByName.get(name);
    if (index === undefined) {
      throw new SessionUsageError(`no session named "${name}"; sessions.yaml declares ${[...this.#installed.indexByName.keys()].join(', ')}`);
    }
    return index;
  }
}

/** What `set` and `regenerate` leave for commit: `packed`, written as a session created at `createdAt`. */
function stage(slot: SessionSlot, packed: string, createdAt: number): void {
  slot.packed = packed;
  slot.createdAt = createdAt;
  slot.change = Change.Write;
}

/** Moves the slot's entry to those commit deletes: only as loaded (`asLoaded`), or whatever it holds. */
function retire(slot: SessionSlot, asLoaded: boolean): void {
  if (slot.id !== undefined) (slot.retired ??= []).push({ id: slot.id, version: asLoaded ? slot.version : undefined });
  slot.id = undefined;
  slot.version = undefined;
}

function adopt(slot: SessionSlot, result: LoadResult<unknown>): void {
  if (result.ok) {
    slot.loaded = result;
    slot.value = result.value;
    slot.createdAt = result.envelope.createdAt;
    slot.id = result.id;
    slot.version = result.version;
  } else {
    slot.change = Change.Reject;
  }
}

/**
 * The request says it came over HTTPS (`X-Forwarded-Proto: https`) but `app.proxy` is off, so Koa rightly
 * does not believe it and a `secure: auto` cookie goes out without `Secure` (security.md #11). Behind a real
 * TLS proxy that is a misconfiguration; from a client it is a spoof. Either way the header is not trusted,
 * and the operator is told.
 */
function claimsUntrustedHttps(ctx: Context): boolean {
  if (ctx.app.proxy) return false;
  const forwarded = ctx.get('X-Forwarded-Proto');
  return forwarded !== '' && forwarded.split(',', 1)[0]!.trim().toLowerCase() === 'https';
}

/**
 * Decides whether an unchanged loaded session is re-sent: sealed under an older key, `rolling`, or by
 * value its idle window needs sliding (see `isRefreshDue`). By id the storage read already slid the idle
 * window and nothing is re-sent, so there is no `idle` refresh (and no `refreshed` event) by id.
 */
function planRefresh(provider: SessionProvider<unknown>, slot: SessionSlot, now: number): void {
  const loaded = slot.loaded;
  if (slot.change !== Change.None || loaded === undefined) return;
  const expiry = provider.definition.expiry;
  if (loaded.stale) slot.refresh = 'key_rotated';
  else if (expiry.rolling) slot.refresh = 'rolling';
  else if (!provider.tracker.byId && isRefreshDue(loaded.envelope, expiry, now)) slot.refresh = 'idle';
  if (slot.refresh !== undefined && !provider.tracker.byId) slot.packed = provider.repack(loaded.envelope, now);
}

/**
 * By id, the storage side of commit. Writes are conditional (security.md #44, #49, #50): a new entry only
 * under an unused id, a loaded one only over the version loaded, and a regenerated one's old entry is
 * deleted only as loaded; when another request got there first, nothing of this one stays and
 * `SessionConflictError` (409) says so. The new entry is written before the old one is deleted, so a
 * failed write hands out no new id and loses no old one (#46). An entry already past its absolute
 * lifetime is deleted rather than written (#52). A read-only request writes nothing: its read slid the
 * idle timeout (#51).
 */
async function persist(provider: SessionProvider<unknown>, slot: SessionSlot, now: number): Promise<void> {
  const tracker = provider.tracker;
  if (!tracker.byId) return;
  const expiry = provider.definition.expiry;
  const ttl = storageTtl(slot.createdAt, expiry, now);
  if (slot.change === Change.Write && ttl <= 0) {
    slot.change = Change.Clear;
    retire(slot, false);
  }
  if (slot.change === Change.Write) {
    const lifetime = remainingLifetime(slot.createdAt, expiry, now);
    if (slot.id === undefined) slot.id = await create(tracker, slot.packed, ttl, lifetime);
    else if (!(await tracker.write(slot.id, slot.packed, ttl, lifetime, slot.version))) throw conflict(provider);
  }
  for (const { id, version } of slot.retired ?? []) {
    if (await tracker.discard(id, version)) continue;
    // Regenerated from data another request has since changed or cleared: the copy must not live on.
    if (slot.change === Change.Write) await tracker.discard(slot.id!);
    throw conflict(provider);
  }
}

/** Writes a new entry under a fresh id, never over an existing one; another id on a collision (security.md #44). */
async function create(tracker: ByIdTracker, text: string, ttl: number, lifetime: number): Promise<string> {
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
    const id = tracker.newId();
    if (await tracker.write(id, text, ttl, lifetime, undefined)) return id;
  }
  throw new SessionStorageError(tracker.storage.storageName, `${MAX_ID_ATTEMPTS} fresh session ids in a row were taken; the random source repeats`);
}

function conflict(provider: SessionProvider<unknown>): SessionConflictError {
  const storage = (provider.tracker as ByIdTracker).storage.storageName;
  provider.emit({ type: 'conflict', session: provider.name, storage });
  return new SessionConflictError(provider.name, storage);
}
