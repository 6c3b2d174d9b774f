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
  /**
   * By id: the payload path (`['user', 'id']`) of the user each session is listed under, so a user's sessions
   * can be listed and revoked together (docs/spec.md, `index`). A required string in every payload version.
   * Written only when set, as are `maxPerUser` and `summary`, which need it.
   */
  readonly index?: readonly string[];
  /** With `index`: how many sessions one user may hold at once; creating one more revokes the least recently used. */
  readonly maxPerUser?: number;
  /** With `index`: the payload paths a listing of a user's sessions shows of each, beside its handle and times. */
  readonly summary?: readonly (readonly string[])[];
  /** By value: the per-user stamp its cookies are rechecked against, so they can be revoked. Written only when set. */
  readonly revocation?: RevocationDefinition;
}

/**
 * A by-value session's revocation check (docs/spec.md, `revocation`): the storage holds a stamp per user, the
 * payload path `key` names the user, and a cookie is checked against the stamp once every `recheck` seconds.
 */
export interface RevocationDefinition {
  /** Storage name, a key of `SpecDefinition.storages`. */
  readonly storage: string;
  /** The payload path of the user id, a required string in every payload version. */
  readonly key: readonly string[];
  /** Seconds a cookie goes unchecked after a check: the longest a revoked cookie still works. */
  readonly recheck: number;
  /** `deny`: a recheck the storage cannot answer is a 503; `allow`: the cookie is accepted unchecked. */
  readonly onStoreDown: 'deny' | 'allow';
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
