/**
 * The spec as written, in the shape spec-schema.json gives it: what `validateSpec` hands on once ajv and the
 * semantic rules have passed (validate.ts), and `normalize` reads. Nothing here is defaulted yet.
 * Keep it in step with spec-schema.json: ajv's type guard trusts that the two describe the same shape.
 */
import type { CookieSettings } from 'typed-sessions/rules';
import type { JsonSchema } from './payload-schema.js';

export interface SpecDocument {
  readonly version: 1;
  readonly keys?: Readonly<Record<string, { readonly env: string; readonly encoding?: 'base64url' | 'hex' }>>;
  readonly storages?: Readonly<Record<string, StorageDocument>>;
  readonly types?: Readonly<Record<string, JsonSchema>>;
  readonly sessions: Readonly<Record<string, SessionDocument>>;
  readonly augmentKoaContext?: boolean;
}

export type StorageDocument =
  | { readonly kind: 'memory'; readonly maxEntries?: number }
  | { readonly kind: 'directory'; readonly path: string; readonly maxEntries?: number }
  | { readonly kind: 'redis'; readonly url: { readonly env: string }; readonly prefix?: string };

export interface SessionDocument {
  readonly transport?: 'cookie' | 'header';
  readonly name?: string;
  readonly serializer?: 'json' | 'ktor-json' | 'ktor-reflection' | ModuleExportDocument;
  readonly transform?: readonly TransformDocument[];
  readonly storage?: string;
  readonly insecure?: boolean;
  readonly load?: 'eager' | 'lazy';
  readonly cookie?: Partial<CookieSettings>;
  /** Durations as written (`7d`); spec-schema.json's pattern has checked that each is one (`touchAfter` may be 0). */
  readonly expiry?: { readonly maxAge?: string; readonly idle?: string; readonly touchAfter?: string | 0; readonly rolling?: boolean };
  readonly schema: JsonSchema;
  readonly migrateFrom?: string | { readonly session: string; readonly keepSource?: boolean; readonly trustUnauthenticatedIv?: boolean };
  /** Flash values: each key's payload schema. */
  readonly flash?: Readonly<Record<string, JsonSchema>>;
  readonly concurrency?: 'serialize';
  readonly version?: number;
  /** Older payload versions, by version number as YAML writes a key (`'1'`). */
  readonly history?: Readonly<Record<string, PayloadVersionDocument>>;
  readonly acknowledgeLogout?: string;
  /** Payload paths as written, field names joined by dots (`user.id`). */
  readonly index?: string;
  readonly maxPerUser?: number;
  readonly summary?: readonly string[];
  readonly revocation?: RevocationDocument;
}

/** `revocation:` as written: `key` a payload path, `recheck` a duration. */
export interface RevocationDocument {
  readonly storage: string;
  readonly key: string;
  readonly recheck: string;
  readonly onStoreDown?: 'deny' | 'allow';
}

/** One older payload version: its schema, and the app's function that migrates it to the next version. */
export interface PayloadVersionDocument {
  readonly schema: JsonSchema;
  readonly migrate: ModuleExportDocument;
}

/** An export of the app's own module, the path relative to the spec file. */
export interface ModuleExportDocument {
  readonly module: string;
  readonly export: string;
}

/** One `transform:` step; the spec schema allows exactly one of the kinds per step. */
export type TransformDocument =
  | { readonly sign: string }
  | { readonly encrypt: string }
  | { readonly 'ktor-sign': string; readonly algorithm?: 'sha256' | 'sha1' }
  | { readonly 'ktor-encrypt': { readonly encrypt: string; readonly sign: string }; readonly legacyMac?: boolean };
