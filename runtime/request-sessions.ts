import type { Context } from 'koa';
import { epochSeconds, type Clock } from './clock.js';
import type { CookieOptions } from './cookie-options.js';
import { deepFreeze } from './read-only.js';
import { SessionStateError, SessionUsageError } from './errors.js';
import type { Migration } from './ktor/migration.js';
import type { SessionPipeline } from './session-pipeline.js';
import type { Sessions } from './sessions.js';
import type { SessionSlot } from './tracker/slot.js';
import type { Turn, TurnHolder, TurnSource } from './tracker/turns.js';
import { parseCookies } from './transport/cookie.js';
import { KoaResponse } from './transport/koa-response.js';
import { ErrorHeaders, type ResponseHeaders } from './transport/response-headers.js';
import type { CookieJar, UnreadableChunks } from './transport/transport.js';

/** What every request shares: each session's pipeline in spec order, looked up by name. */
export interface InstalledSessions {
  readonly pipelines: readonly SessionPipeline<unknown>[];
  readonly indexByName: ReadonlyMap<string, number>;
  /** The cookies sessions read (a chunked session's chunks among them): the only cookies the parser keeps. */
  readonly cookieNames: ReadonlySet<string>;
  readonly clock: Clock;
  /** Called when a `secure: auto` cookie goes out without `Secure` although the request claims HTTPS through an untrusted proxy header. */
  readonly warnUntrustedHttps: (session: string) => void;
  /** `migrateFrom` pairs, checked at start-up (runtime/ktor/migration.ts). */
  readonly migrations: readonly Migration[];
  /** Indexes of the sessions in a migration, as target or source: opened before the handler, since `#migrate` joins them. */
  readonly migrating: ReadonlySet<number>;
  /** Outside production: payloads `get` returns and `set` keeps are frozen, so a change in place throws instead of being lost. */
  readonly freezePayloads: boolean;
}

const NO_COOKIES: CookieJar = new Map();

/** A turn a request took, on `key` of `source`. */
interface HeldTurn {
  readonly source: TurnSource;
  readonly key: string;
  readonly turn: Turn;
}

/**
 * The per-request `Sessions`; `createSessionsMiddleware` makes one per request. It only orchestrates: each
 * session's slot (runtime/tracker/slot.ts), made by its tracker, knows how it loads, persists and delivers.
 * It also keeps the turns its by-id sessions took (runtime/tracker/turns.ts) until `release`.
 */
export class RequestSessions implements Sessions<Record<string, unknown>, string, Record<string, Record<string, unknown>>, string>, TurnHolder {
  readonly #installed: InstalledSessions;
  readonly #ctx: Context;
  /** The request's session cookies, parsed by `load`: what commit expires of a chunked session's stale chunks. */
  #cookies: CookieJar = NO_COOKIES;
  /** By session index; allocated on first use, so a request that touches no session allocates nothing more. */
  #slots: (SessionSlot | undefined)[] | undefined = undefined;
  /** By session index: tokens of sessions that open on first use or load on demand, not opened yet. */
  #unopened: (readonly string[] | UnreadableChunks | undefined)[] | undefined = undefined;
  /** By session index: a `load(name)` under way, so a second call waits for the same storage read. */
  #loading: (Promise<void> | undefined)[] | undefined = undefined;
  /** When the request's sessions were read: the `now` every session opened in this request is judged at. */
  #loadedAt = -1;
  /** Allocated on the first by-id token. */
  #turns: HeldTurn[] | undefined = undefined;
  #committed = false;

  constructor(installed: InstalledSessions, ctx: Context) {
    this.#installed = installed;
    this.#ctx = ctx;
  }

  get(name: string): unknown {
    const { value } = this.#slotAt(this.#indexOf(name));
    return this.#installed.freezePayloads ? deepFreeze(value) : value;
  }

  set(name: string, value: unknown, options?: CookieOptions): void {
    this.#open(name).set(value, epochSeconds(this.#installed.clock), options);
    // Sealed already: a change the handler made to `value` afterwards would be lost, so it throws instead.
    if (this.#installed.freezePayloads) deepFreeze(value);
  }

  update(name: string, recipe: (draft: unknown) => unknown): void {
    const current = this.get(name);
    if (current === undefined) {
      throw new SessionUsageError(`session "${name}" has no payload to update in this request; create it with set() or getOrSet()`);
    }
    const draft = structuredClone(current);
    const made = recipe(draft);
    this.set(name, made === undefined ? draft : made);
  }

  clear(name: string): void {
    this.#open(name).clear();
  }

  getOrSet(name: string, create: () => unknown): unknown {
    const value = this.get(name);
    if (value !== undefined) return value;
    this.set(name, create());
    return this.get(name);
  }

  /**
   * The payload once loaded: at once for every session but a by-id one with `load: lazy`, which this
   * loads from its storage (once per request). Throws `SessionStorageError` when the storage fails.
   */
  async load(name: string): Promise<unknown> {
    const index = this.#indexOf(name);
    const pipeline = this.#installed.pipelines[index]!;
    if (!pipeline.loadsOnDemand || this.#slots?.[index] !== undefined) return this.get(name);
    const loading = (this.#loading ??= new Array<Promise<void> | undefined>(this.#installed.pipelines.length));
    await (loading[index] ??= this.#loadNow(index));
    return this.get(name);
  }

  async #loadNow(index: number): Promise<void> {
    const tokens = this.#unopened?.[index];
    const incoming = tokens === undefined ? undefined : await this.#installed.pipelines[index]!.open(tokens, this.#loadedAt, this);
    // The slot exists only once loaded: until then every other call on the session refuses (`#slotAt`).
    const slot = this.#newSlot(index);
    if (incoming !== undefined) slot.adopt(incoming);
  }

  regenerate(name: string): void {
    this.#slotAt(this.#indexOf(name)).regenerate(epochSeconds(this.#installed.clock), () => this.#assertOpen(name));
  }

  flash(name: string, key: string, value: unknown): void {
    this.#open(name).setFlash(key, value, epochSeconds(this.#installed.clock));
    if (this.#installed.freezePayloads) deepFreeze(value);
  }

  flashed(name: string, key: string): unknown {
    const value = this.#open(name).takeFlash(key, epochSeconds(this.#installed.clock));
    return this.#installed.freezePayloads ? deepFreeze(value) : value;
  }

  /**
   * Reads the token of every session whose cookie or header is present; nothing else (security.md #1).
   * By-id sessions are loaded from their storage now, by-value ones are opened when the handler first uses
   * them (`opensOnAccess`), or now when a migration joins them to another. Returns `undefined` when no
   * storage was involved, so the common case costs no extra tick. Throws `SessionStorageError` when a
   * storage fails.
   */
  loadIncoming(): Promise<void> | undefined {
    const { pipelines, cookieNames, clock, migrating } = this.#installed;
    const header = cookieNames.size > 0 ? this.#ctx.req.headers.cookie : undefined;
    const cookies = header === undefined || header === '' ? NO_COOKIES : parseCookies(header, cookieNames);
    this.#cookies = cookies;
    let pending: Promise<void>[] | undefined;
    for (let index = 0; index < pipelines.length; index += 1) {
      const pipeline = pipelines[index]!;
      const tokens = pipeline.transport.read(this.#ctx.req.headers, cookies);
      if (tokens === undefined) continue;
      if (this.#loadedAt === -1) this.#loadedAt = epochSeconds(clock);
      if ((pipeline.opensOnAccess || pipeline.loadsOnDemand) && !migrating.has(index)) {
        (this.#unopened ??= new Array<readonly string[] | UnreadableChunks | undefined>(pipelines.length))[index] = tokens;
        continue;
      }
      const slot = this.#newSlot(index);
      const incoming = pipeline.open(tokens, this.#loadedAt, this);
      if (incoming instanceof Promise) (pending ??= []).push(incoming.then((settled) => slot.adopt(settled)));
      else slot.adopt(incoming);
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
      const from = slots[source]?.value;
      // A native session holding flash values alone has no payload to keep: the Ktor user still moves in.
      if (from === undefined || slots[target]?.value !== undefined) continue;
      const pipeline = this.#installed.pipelines[target]!;
      const sourceName = this.#installed.pipelines[source]!.name;
      try {
        this.set(pipeline.name, from);
      } catch (error) {
        const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'UNKNOWN';
        pipeline.emit({ type: 'migration_failed', session: pipeline.name, from: sourceName, error: code });
        continue;
      }
      if (!keepSource) this.clear(sourceName);
      pipeline.emit({ type: 'migrated', session: pipeline.name, from: sourceName, keptSource: keepSource });
    }
  }

  /**
   * The turn on `key` of `source`, taken once per request: a second token for the same id shares it. Locks
   * across processes are taken one after another, in the order the turns are (runtime/tracker/turns.ts).
   */
  takeTurn(source: TurnSource, key: string): Promise<void> {
    const turns = (this.#turns ??= []);
    const held = turns.find((entry) => entry.source === source && entry.key === key);
    if (held !== undefined) return held.turn.ready;
    const turn = source.take(key, turns.at(-1)?.turn.ready);
    turns.push({ source, key, turn });
    return turn.ready;
  }

  /**
   * Writes what changed: storage first, then headers, so a storage fault (`SessionStorageError`, a 503)
   * leaves no `Set-Cookie` pointing at unsaved data (security.md #46). A request that held a session past
   * `holdTimeout` writes nothing (`SessionBusyError`, a 503), since the next request may have changed it
   * meanwhile. Afterwards changes throw.
   */
  commit(): Promise<void> | undefined {
    this.#committed = true;
    const slots = this.#slots;
    if (slots === undefined) return undefined;
    if (this.#ctx.headerSent) return this.#refuseLateChanges(slots);
    // Throws `SessionBusyError` for a turn that passed on; renews the locks of `concurrency: serialize`.
    const turns = this.#turns;
    const confirming = turns !== undefined && slots.some((slot) => slot?.changed) ? whenAll(turns.map(({ turn }) => turn.confirm())) : undefined;
    return confirming === undefined ? this.#persist(slots) : confirming.then(() => this.#persist(slots));
  }

  #persist(slots: readonly (SessionSlot | undefined)[]): Promise<void> | undefined {
    const nowMs = this.#installed.clock();
    const now = Math.floor(nowMs / 1000);
    let pending: Promise<void>[] | undefined;
    for (const slot of slots) {
      const persisting = slot?.persist(now);
      if (persisting !== undefined) (pending ??= []).push(persisting);
    }
    const response = new KoaResponse(this.#ctx, this.#installed.warnUntrustedHttps);
    if (pending === undefined) {
      deliver(response, slots, now, nowMs, this.#cookies);
      return undefined;
    }
    return Promise.all(pending).then(() => deliver(response, slots, now, nowMs, this.#cookies));
  }

  /**
   * The request has ended, whichever way: every turn it took is given up, waiting or held, so the next
   * request on each id goes ahead. Resolves once the locks of `concurrency: serialize` are released.
   */
  release(): Promise<void> | undefined {
    const releasing = whenAll(this.#turns?.map(({ turn }) => turn.release()));
    this.#turns = undefined;
    return releasing;
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
    for (const slot of slots) slot?.abandon();
    deliver(headers, slots, 0, 0, this.#cookies);
    headers.attachTo(error);
  }

  /** The app sent the headers itself: a pending write could never reach the client, so it is an error. */
  #refuseLateChanges(slots: readonly (SessionSlot | undefined)[]): undefined {
    const changed = slots.findIndex((slot) => slot?.changed);
    if (changed !== -1) {
      throw new SessionStateError(
        `session "${this.#installed.pipelines[changed]!.name}" changed after the response headers were sent; set or clear sessions before writing the response`,
      );
    }
    return undefined;
  }

  /** The slot of session `name`, which the handler is about to change. */
  #open(name: string): SessionSlot {
    const index = this.#indexOf(name);
    this.#assertOpen(name);
    return this.#slotAt(index);
  }

  #assertOpen(name: string): void {
    if (this.#committed) {
      throw new SessionStateError(
        `session "${name}" changed after the response was committed; change sessions before the middleware chain finishes (await async work in the handler)`,
      );
    }
  }

  /** The slot of session `index` for the handler's calls, its token opened now if it waited for first use. */
  #slotAt(index: number): SessionSlot {
    const existing = this.#slots?.[index];
    if (existing !== undefined) return existing;
    const pipeline = this.#installed.pipelines[index]!;
    if (pipeline.loadsOnDemand) {
      throw new SessionUsageError(
        `session "${pipeline.name}" loads on demand (load: lazy in sessions.yaml): await ctx.sessions.load('${pipeline.name}') before using it in this request`,
      );
    }
    const slot = this.#newSlot(index);
    const tokens = this.#unopened?.[index];
    if (tokens !== undefined) {
      // By value (`opensOnAccess`): opening is computation only, never a storage read, so never a promise.
      const incoming = pipeline.open(tokens, this.#loadedAt, this);
      if (!(incoming instanceof Promise)) slot.adopt(incoming);
    }
    return slot;
  }

  #newSlot(index: number): SessionSlot {
    const slots = (this.#slots ??= new Array<SessionSlot | undefined>(this.#installed.pipelines.length));
    return (slots[index] = this.#installed.pipelines[index]!.createSlot());
  }

  #indexOf(name: string): number {
    const index = this.#installed.indexByName.get(name);
    if (index === undefined) {
      throw new SessionUsageError(`no session named "${name}"; sessions.yaml declares ${[...this.#installed.indexByName.keys()].join(', ')}`);
    }
    return index;
  }
}

/** One promise for the calls that are asynchronous, or `undefined` when none is: the common case costs no tick. */
function whenAll(calls: readonly (Promise<void> | undefined)[] | undefined): Promise<void> | undefined {
  const pending = calls?.filter((call) => call !== undefined);
  return pending === undefined || pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
}

/** Headers for every session used: expiries, tokens written or refreshed, `Vary` and `Cache-Control`. */
function deliver(response: ResponseHeaders, slots: readonly (SessionSlot | undefined)[], now: number, nowMs: number, presented: CookieJar): void {
  let sent = false;
  for (const slot of slots) {
    if (slot !== undefined && slot.deliver(response, now, nowMs, presented)) sent = true;
  }
  // Responses carrying a session token must not be cached, refresh-only ones included (security.md #12).
  if (sent) response.set('Cache-Control', 'no-store');
}
