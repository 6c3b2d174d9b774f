/**
 * The rules about a session's settings that `typed-sessions validate` checks with a position and
 * `installSessions()` checks again at startup (a definition may be stale or written by hand). Each is one
 * pure function over facts both sides know, so the two can never disagree (security.md #65). A problem
 * says what is wrong and how to fix it, in words that follow "<where>: " on either side: the generator
 * puts the spec path there, the runtime the session's name.
 */
import type { SessionDefinition, StorageDefinition, TransformDefinition } from './definition.js';
import { MAX_COOKIE_CHUNKS, chunkCookieNames, persistentByDefault } from './transport/cookie-rules.js';

export type TransformKind = TransformDefinition['kind'];

/** What both sides know about a session: from the spec as written, or from its generated definition. */
export interface SessionFacts {
  readonly name: string;
  readonly byId: boolean;
  /** Serialized in Ktor's wire format (`serializer: ktor-json` or `ktor-reflection`). */
  readonly ktorFormat: boolean;
  /** Its transform kinds, in spec order. */
  readonly transforms: readonly TransformKind[];
  readonly insecure: boolean;
  readonly hasIdle: boolean;
  /** Declares flash values (`flash:`). */
  readonly hasFlash: boolean;
  /** `load: lazy`: loaded when the handler asks, not before it. */
  readonly loadsOnDemand: boolean;
  /** A cookie session with `cookie.chunked: true`. */
  readonly chunked: boolean;
  /** A cookie session whose cookie is a browser-session one unless a write chooses otherwise (`cookie.persistent: false`). */
  readonly browserSessionCookie: boolean;
  /** Writes `version:` above 1 or keeps older versions in `history:`. */
  readonly versioned: boolean;
}

export const KTOR_FORMAT_HINT = "serializer: ktor-json (Ktor 3.x's default) or ktor-reflection (Ktor 1.x/2.x's default)";

/** The facts of a generated (or hand-written) definition. */
export function sessionFacts(definition: SessionDefinition<unknown>): SessionFacts {
  return {
    name: definition.name,
    byId: definition.storage !== undefined,
    ktorFormat: definition.ktor !== undefined,
    transforms: definition.transforms.map((transform) => transform.kind),
    insecure: definition.insecure === true,
    hasIdle: definition.expiry.idle !== undefined,
    hasFlash: definition.flash !== undefined,
    versioned: (definition.version ?? 1) !== 1 || definition.history !== undefined,
    loadsOnDemand: definition.load === 'lazy',
    chunked: definition.transport.kind === 'cookie' && definition.transport.cookie.chunked === true,
    browserSessionCookie: definition.transport.kind === 'cookie' && !persistentByDefault(definition.transport.cookie),
  };
}

/** Only loading from a storage waits: a by-value session already opens when the handler first uses it. */
export function loadProblem(session: SessionFacts): string | undefined {
  if (!session.loadsOnDemand || session.byId) return undefined;
  return 'load: lazy is for sessions tracked by id in a storage; a by-value session already opens only when the handler first uses it, so remove load:';
}

/** A by-value session must be sealed, unless the spec accepts in words that a client can read and forge it. */
export function protectionProblem(session: SessionFacts): string | undefined {
  if (session.byId || session.insecure || session.transforms.length > 0) return undefined;
  return 'a session that travels by value (no storage) needs a sign or encrypt transform, or a client could read and forge it; add transform: [{ encrypt: RING }] (or sign), or a storage, or write insecure: true to accept that';
}

/** A session is wholly in Ktor's wire format or wholly native: each transform reads only its own format. */
export function transformFormatProblem(kind: TransformKind, ktorFormat: boolean): string | undefined {
  if (kind.startsWith('ktor-') === ktorFormat) return undefined;
  return ktorFormat
    ? `a Ktor service cannot read this library's ${kind} format, and the session is in Ktor's format; use ktor-sign or ktor-encrypt with the Ktor service's keys`
    : `${kind} is Ktor's transform, for sessions in Ktor's wire format; add ${KTOR_FORMAT_HINT}, or use sign or encrypt`;
}

/** Ktor's transforms take a Ktor service's raw keys (a ring declared `encoding: hex`); native ones never do. */
export function ringEncodingProblem(kind: TransformKind, ring: string, hex: boolean): string | undefined {
  if (hex === kind.startsWith('ktor-')) return undefined;
  return hex
    ? `${kind} names key ring "${ring}", declared encoding: hex (a Ktor service's raw keys); ${kind} needs this library's keys, so use a ring of keys from npx typed-sessions keygen`
    : `${kind} names key ring "${ring}", which is not declared encoding: hex; Ktor's transforms use the Ktor service's raw key bytes, so declare ${ring}: { env: ..., encoding: hex } holding them as hex`;
}

/** Ktor's format carries no timestamps, so by value nothing could enforce an idle timeout. */
export function idleProblem(session: SessionFacts): string | undefined {
  if (!session.ktorFormat || session.byId || !session.hasIdle) return undefined;
  return "expiry.idle cannot be enforced: Ktor's wire format has no timestamps, so a session travelling by value carries no last-seen time; remove idle, or track the session by id (storage:), where the storage's TTL enforces it";
}

/** Flash values ride in this library's envelope beside the payload, which Ktor's wire format has no room for. */
export function flashProblem(session: SessionFacts): string | undefined {
  if (!session.ktorFormat || !session.hasFlash) return undefined;
  return "flash: needs this library's envelope, and a session in Ktor's wire format has none (a Ktor service would misread it); declare the flash values on a native session (serializer: json or your codec)";
}

/** What the concurrency rule needs to know of a session: by id or not, its `concurrency`, and its storage's declared kind. */
export interface ConcurrencyFacts {
  readonly byId: boolean;
  readonly concurrency: unknown;
  /** `undefined` when the storage is not declared: another rule's to report. */
  readonly storageKind: StorageDefinition['kind'] | undefined;
}

/**
 * `concurrency: serialize` makes requests on one id take turns across processes through a lock in the
 * storage: by value there is no storage, and memory and directory storages have no lock every process
 * shares (in one process requests take turns anyway).
 *
 * @example
 * concurrencyProblem({ byId: true, concurrency: 'serialize', storageKind: 'memory' }); // 'concurrency: serialize needs ...'
 */
export function concurrencyProblem(session: ConcurrencyFacts): string | undefined {
  if (session.concurrency !== 'serialize') return undefined;
  if (!session.byId) {
    return 'concurrency: serialize is for sessions tracked by id (storage:); by value each request carries its own copy and nothing is shared to lock; remove concurrency';
  }
  if (session.storageKind === 'memory' || session.storageKind === 'directory') {
    return `concurrency: serialize needs a lock shared by every process, which a ${session.storageKind} storage does not have (requests in one process take turns without it); remove concurrency, or use a redis storage`;
  }
  return undefined;
}

/**
 * Ktor's format carries no timestamps, so by value the cookie's `Max-Age` is all that ends a session
 * (docs/ktor.md): without it, nothing would.
 */
export function persistenceProblem(session: SessionFacts): string | undefined {
  if (!session.ktorFormat || session.byId || !session.browserSessionCookie) return undefined;
  return "cookie.persistent: false would leave the session without any expiry: Ktor's wire format has no timestamps, so by value only the cookie's Max-Age ends it; remove persistent: false, or track the session by id (storage:), where the storage's TTL ends it";
}

/**
 * Chunks carry a sealed token too large for one cookie (security.md #67): by id the cookie holds only an id,
 * and a Ktor service reads its session from one cookie.
 */
export function chunkedProblem(session: SessionFacts): string | undefined {
  if (!session.chunked) return undefined;
  if (session.byId) return 'cookie.chunked splits a sealed session over several cookies, but a session tracked by id sends only its id, which always fits in one; remove chunked';
  if (session.ktorFormat) return "cookie.chunked splits the token over several cookies, and a Ktor service reads its session from one; remove chunked, or leave Ktor's format";
  return undefined;
}

/** Where a session's token travels, for the clash rule. */
export interface WireName {
  readonly session: string;
  readonly transport: 'cookie' | 'header';
  readonly name: string;
  /** A chunked cookie session also owns `NAME.0` to `NAME.2`. */
  readonly chunked?: boolean;
}

/** A session whose wire name an earlier session already uses. */
export interface WireNameClash {
  readonly session: string;
  readonly problem: string;
}

/**
 * Two sessions on one cookie name, or one header name in any letter case (RFC 9110 section 5.1; cookie names
 * keep their case, RFC 6265 section 5.3), would read each other's tokens; a chunked session owns its chunks'
 * names as well. Every later user of a name clashes.
 *
 * @example
 * wireNameClashes([{ session: 'a', transport: 'cookie', name: 'sid' }, { session: 'b', transport: 'cookie', name: 'sid' }]);
 * // [{ session: 'b', problem: 'cookie name "sid" is already used by session "a"; ...' }]
 */
export function wireNameClashes(names: readonly WireName[]): WireNameClash[] {
  const firstUser = new Map<string, WireName>();
  const keyOf = (transport: WireName['transport'], name: string): string => `${transport}:${transport === 'header' ? name.toLowerCase() : name}`;
  return names.flatMap((wire) => {
    const { session, transport, name } = wire;
    const owned = wire.chunked === true ? [name, ...chunkCookieNames(name)] : [name];
    const taken = owned.find((claim) => firstUser.has(keyOf(transport, claim)));
    if (taken === undefined) {
      for (const claim of owned) firstUser.set(keyOf(transport, claim), wire);
      return [];
    }
    const first = firstUser.get(keyOf(transport, taken))!;
    const caseNote = transport === 'header' ? ' (header names ignore case)' : '';
    const chunkNote = wire.chunked === true || first.chunked === true ? ` (a chunked session's cookies are NAME.0 to NAME.${MAX_COOKIE_CHUNKS - 1})` : '';
    return [{ session, problem: `${transport} name "${taken}" is already used by session "${first.session}"${caseNote}${chunkNote}; set a different name: on one of them` }];
  });
}
