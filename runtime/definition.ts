import type { Serializer } from './serializer/serializer.js';

/**
 * The data the generated code hands to the runtime: one `SessionDefinition` per session in the spec,
 * plus the key rings and storages they name. Plain data; the generator emits it as object literals.
 */

/** Cookie attributes, as validated by the generator (docs/spec.md, `cookie`; security.md #6, #7). */
export interface CookieSettings {
  readonly path: string;
  readonly domain?: string;
  readonly httpOnly: boolean;
  /** `auto` follows Koa's `ctx.secure` (and therefore `app.proxy`). */
  readonly secure: boolean | 'auto';
  readonly sameSite: 'strict' | 'lax' | 'none';
  readonly partitioned?: boolean;
  readonly priority?: 'low' | 'medium' | 'high';
  /**
   * Whether the cookie carries `Max-Age` and `Expires` (kept across browser restarts) or neither (a
   * browser-session cookie), unless a `set()` chose otherwise (security.md #8). `gen` always writes it; a
   * definition written by hand without it gets a persistent cookie, as every cookie was before the setting.
   */
  readonly persistent?: boolean;
  /** By value: the token split over cookies `NAME.0`, `NAME.1`, ... when one cookie cannot hold it (security.md #67). */
  readonly chunked?: boolean;
}

export type TransportDefinition =
  | { readonly kind: 'cookie'; readonly name: string; readonly cookie: CookieSettings }
  | { readonly kind: 'header'; readonly name: string };

export type TransformDefinition =
  | {
      readonly kind: 'sign' | 'encrypt';
      /** Key ring name, a key of `SpecDefinition.keys`. */
      readonly keys: string;
    }
  /** Ktor's HMAC transformer (docs/ktor.md); `keys` is a ring declared `encoding: hex`. */
  | { readonly kind: 'ktor-sign'; readonly keys: string; readonly algorithm: 'sha256' | 'sha1' }
  /**
   * Ktor's AES-CBC + HMAC transformer (docs/ktor.md): `keys` holds the AES keys, `signKeys` the HMAC keys,
   * both rings declared `encoding: hex`. `legacyMac` also reads the pre-3.0 format (MAC over the plaintext).
   */
  | { readonly kind: 'ktor-encrypt'; readonly keys: string; readonly signKeys: string; readonly legacyMac: boolean };

export interface ExpiryDefinition {
  /** Absolute lifetime in seconds from creation; never extended. */
  readonly maxAge: number;
  /** Sliding idle timeout in seconds. */
  readonly idle?: number;
  /**
   * Seconds after the last recorded activity before a request records it again (slides `idle`); 0 for
   * every request. Only with `idle`, below it, and not with `rolling`. Absent: a tenth of `idle`, at most 1h.
   */
  readonly touchAfter?: number;
  /** Re-send the cookie on every request that reads the session. */
  readonly rolling: boolean;
}

/**
 * What the spec says of one session, as plain data: the generator's model holds exactly this for each session
 * (generator/model.ts) and the generated definition prints it as it is. `SessionDefinition` adds the code.
 */
export interface SessionSettings {
  /** Accessor name: `ctx.sessions.get(name)`. */
  readonly name: string;
  readonly transport: TransportDefinition;
  /** Storage name: present means tracked by id, absent means by value. */
  readonly storage?: string;
  /** Applied in order on write, undone in reverse on read. */
  readonly transforms: readonly TransformDefinition[];
  readonly expiry: ExpiryDefinition;
  /** Written out in the spec to allow a by-value session with no sign or encrypt transform. */
  readonly insecure?: boolean;
  /**
   * Present: the session is in Ktor's wire format (docs/ktor.md), readable and writable by a Ktor service:
   * Ktor's serializer, only `ktor-*` transforms, Ktor's cookie value encoding, and no timestamped envelope.
   */
  readonly ktor?: { readonly serializer: 'json' | 'reflection' };
  readonly migrateFrom?: MigrationDefinition;
  /**
   * `lazy`: a by-id session loaded from its storage only when the handler asks, by
   * `await ctx.sessions.load(name)`, instead of before every handler whose request carries its id.
   */
  readonly load?: 'lazy';
  /**
   * By id, requests on one id always take turns in each process; `serialize` makes them take turns across
   * every process too, through a lock in the storage (Redis). Written only when set.
   */
  readonly concurrency?: 'serialize';
  /**
   * The payload version every write is sealed or stored under (docs/schema-evolution.md). Absent: 1, as for a
   * spec that never wrote one, whose envelopes carry no version.
   */
  readonly version?: number;
  /** By id: the session's entries are filed by a payload field per user (docs/storage.md, Indexes). Absent: not indexed. */
  readonly index?: IndexDefinition;
  /** By value: a per-user stamp in a storage that `revokeAll` moves, rechecked every `recheck` seconds. */
  readonly revocation?: RevocationDefinition;
}

/** `revocation:` in the spec (docs/spec.md): how a by-value session learns that its user was logged out everywhere. */
export interface RevocationDefinition {
  /** The storage that holds each user's stamp, a key of `SpecDefinition.storages`. */
  readonly storage: string;
  /** The path of the required string in the payload that names the user, e.g. `['userId']`. */
  readonly path: readonly string[];
  /** Seconds a cookie goes between two reads of its user's stamp: a revoked cookie lives at most this much longer. */
  readonly recheck: number;
  /** `allow`: when the storage is down, a due recheck lets the session through (unchecked) instead of a 503. */
  readonly onStoreDown?: 'allow';
}

/** `index:` in the spec: which payload string files a session under its user, and what the admin API shows of it. */
export interface IndexDefinition {
  /** The path of a required string in the payload, e.g. `['userId']`. */
  readonly path: readonly string[];
  /** At most this many sessions per indexed value: creating one more revokes the least recently used. */
  readonly maxPerUser?: number;
  /** Payload paths `list()` shows of each session, e.g. `[['name']]`. */
  readonly summary?: readonly (readonly string[])[];
}

/**
 * A Ktor-format session of the same spec whose valid session, arriving without one of this session, is
 * re-issued as this session in the same response; the Ktor cookie is then expired unless `keepSource`.
 * `trustUnauthenticatedIv` is the spec's consent to migrating from a `ktor-encrypt` session, whose first
 * 16 payload bytes a cookie holder can choose (security.md #57); without it such a migration is refused.
 */
export interface MigrationDefinition {
  readonly session: string;
  readonly keepSource: boolean;
  readonly trustUnauthenticatedIv?: boolean;
}

export interface SessionDefinition<T = unknown> extends SessionSettings {
  /** Absent means JSON. */
  readonly serializer?: Serializer<T>;
  /**
   * Self-contained JSON Schema of the payload (`$ref`s point into its own `$defs`): data for the Ktor
   * serializers, which follow its shape, and for `migrateFrom`'s same-schema check. Payloads are checked
   * by `validate`; the runtime never compiles this.
   */
  readonly schema: object;
  /** `schema` compiled by `gen` (`<out>/validators.ts`). */
  readonly validate: CompiledValidator;
  /**
   * The session's flash values (`flash:` in the spec, runtime/flash.ts): each declared key's schema compiled
   * by `gen`, like `validate`. Absent: the session takes none.
   */
  readonly flash?: Readonly<Record<string, CompiledValidator>>;
  /**
   * Older payload versions the session still reads, oldest first and without a gap up to `version - 1`: a
   * payload written under one is checked by its validator, then migrated version by version to the
   * current one and written back in the same response. Absent: none.
   */
  readonly history?: readonly PayloadVersion[];
}

/** An older payload version: `gen` compiled its schema, and the app's function takes it to `version + 1`. */
export interface PayloadVersion {
  readonly version: number;
  /** Self-contained, like `SessionDefinition.schema`: data for `migrateFrom`'s check of which version a Ktor payload is. */
  readonly schema: object;
  readonly validate: CompiledValidator;
  /** The app's migration; `gen` types it as taking this version's payload and returning the next one's. */
  readonly migrate: (payload: never) => unknown;
}

/**
 * A payload validator `gen` compiled from a session's schema: ajv's standalone code, with ajv's settings
 * (strict, no coercion, no defaults, no `$data`, first error only). It returns whether the payload is
 * valid and, when it is not, leaves the failure in `errors`.
 *
 * @example
 * import { validateUserSession } from './validators.js';
 * validateUserSession({ userId: 1 }); // false
 * validateUserSession.errors?.[0];    // { instancePath: '/userId', keyword: 'type', message: 'must be string', ... }
 */
export interface CompiledValidator {
  (payload: unknown): boolean;
  readonly errors?: readonly ValidatorError[] | null;
}

/** One failure as ajv reports it (ajv's `ErrorObject`, the fields the runtime reads). */
export interface ValidatorError {
  /** JSON Pointer of the failing value, `""` for the root. */
  readonly instancePath: string;
  /** The schema keyword that failed, e.g. `enum`. */
  readonly keyword: string;
  /** What the keyword needed, e.g. `{ allowedValues: [...] }` for `enum`. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

export type StorageDefinition =
  | { readonly kind: 'memory'; readonly maxEntries: number }
  | { readonly kind: 'directory'; readonly path: string; readonly maxEntries: number }
  | { readonly kind: 'redis'; readonly url: { readonly env: string }; readonly prefix: string };

export type RedisStorageDefinition = Extract<StorageDefinition, { readonly kind: 'redis' }>;
export type DirectoryStorageDefinition = Extract<StorageDefinition, { readonly kind: 'directory' }>;

export interface KeyRingDefinition {
  /** The environment variable holding the comma-separated ring, newest first. */
  readonly env: string;
  /** `hex`: raw key bytes, for Ktor's transforms (docs/ktor.md); absent: this library's base64url keys. */
  readonly encoding?: 'hex';
}
