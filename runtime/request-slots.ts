/**
 * One request's session slots, by session index, and when each opens: a by-value session's token waits
 * until the handler first uses it, a `load: lazy` one until `load`, every other by-id session (and the
 * sessions of a migration) opens before the handler.
 */
import type { Context } from 'koa';
import { epochSeconds } from './clock.js';
import { SessionUsageError } from './errors.js';
import type { InstalledSessions } from './installed-sessions.js';
import type { SessionSlot } from './tracker/slot.js';
import type { TurnHolder } from './tracker/turns.js';
import { parseCookies } from './transport/cookie.js';
import type { CookieJar, UnreadableChunks } from './transport/transport.js';

const NO_COOKIES: CookieJar = new Map();

type Tokens = readonly string[] | UnreadableChunks;

export class RequestSlots {
  readonly #installed: InstalledSessions;
  /** Where by-id sessions take their turns: the request's own `HeldTurns`, through `RequestSessions`. */
  readonly #turns: TurnHolder;
  /** The request's session cookies, parsed by `readIncoming`: what commit expires of a chunked session's stale chunks. */
  cookies: CookieJar = NO_COOKIES;
  /** Allocated on first use, so a request that touches no session allocates nothing more. */
  #slots: (SessionSlot | undefined)[] | undefined = undefined;
  /** Tokens of sessions that open on first use or load on demand, not opened yet. */
  #unopened: (Tokens | undefined)[] | undefined = undefined;
  /** A `load` under way, so a second call waits for the same storage read. */
  #loading: (Promise<void> | undefined)[] | undefined = undefined;
  /** When the request's sessions were read: the `now` every session opened in this request is judged at. */
  #readAt = -1;

  constructor(installed: InstalledSessions, turns: TurnHolder) {
    this.#installed = installed;
    this.#turns = turns;
  }

  /** The slots in use, in spec order (holes for sessions the request neither carried nor used), or `undefined`. */
  get all(): readonly (SessionSlot | undefined)[] | undefined {
    return this.#slots;
  }

  /**
   * Reads the token of every session whose cookie or header `ctx` carries; nothing else (security.md #1).
   * Opens now what cannot wait (by id, unless `load: lazy`; a session of a migration). Returns `undefined`
   * when no storage was involved, so the common case costs no extra tick. Throws `SessionStorageError`.
   */
  readIncoming(ctx: Context): Promise<void> | undefined {
    const { pipelines, cookieNames, clock, migrating } = this.#installed;
    const header = cookieNames.size > 0 ? ctx.req.headers.cookie : undefined;
    this.cookies = header === undefined || header === '' ? NO_COOKIES : parseCookies(header, cookieNames);
    let pending: Promise<void>[] | undefined;
    for (let index = 0; index < pipelines.length; index += 1) {
      const pipeline = pipelines[index]!;
      const tokens = pipeline.transport.read(ctx.req.headers, this.cookies);
      if (tokens === undefined) continue;
      if (this.#readAt === -1) this.#readAt = epochSeconds(clock);
      if ((pipeline.opensOnAccess || pipeline.loadsOnDemand) && !migrating.has(index)) {
        (this.#unopened ??= new Array<Tokens | undefined>(pipelines.length))[index] = tokens;
        continue;
      }
      const slot = this.#newSlot(index);
      const incoming = pipeline.open(tokens, this.#readAt, this.#turns);
      if (incoming instanceof Promise) (pending ??= []).push(incoming.then((settled) => slot.adopt(settled)));
      else slot.adopt(incoming);
    }
    return pending === undefined ? undefined : Promise.all(pending).then(() => undefined);
  }

  /** The slot of session `index` for the handler's calls, its token opened now if it waited for first use. */
  at(index: number): SessionSlot {
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
      const incoming = pipeline.open(tokens, this.#readAt, this.#turns);
      if (!(incoming instanceof Promise)) slot.adopt(incoming);
    }
    return slot;
  }

  /** Session `index` loaded: at once unless it is `load: lazy`, which reads its storage here, once per request. */
  load(index: number): Promise<void> | undefined {
    if (!this.#installed.pipelines[index]!.loadsOnDemand || this.#slots?.[index] !== undefined) return undefined;
    const loading = (this.#loading ??= new Array<Promise<void> | undefined>(this.#installed.pipelines.length));
    return (loading[index] ??= this.#loadNow(index));
  }

  async #loadNow(index: number): Promise<void> {
    const tokens = this.#unopened?.[index];
    const incoming = tokens === undefined ? undefined : await this.#installed.pipelines[index]!.open(tokens, this.#readAt, this.#turns);
    // The slot exists only once loaded: until then every other call on the session refuses (`at`).
    const slot = this.#newSlot(index);
    if (incoming !== undefined) slot.adopt(incoming);
  }

  #newSlot(index: number): SessionSlot {
    const slots = (this.#slots ??= new Array<SessionSlot | undefined>(this.#installed.pipelines.length));
    return (slots[index] = this.#installed.pipelines[index]!.createSlot());
  }
}
