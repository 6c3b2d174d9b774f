/**
 * The generator's intermediate model: plain readonly data, produced by `normalize` from a validated spec
 * and consumed by the emitters. Nothing here knows about YAML positions or TypeScript syntax.
 */

/** A JSON Schema node from the payload schema subset (docs/spec.md), as written in the spec. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface KeyRingNode {
  /** Name in `keys:`. */
  readonly name: string;
  /** Environment variable holding the comma-separated ring, newest first. */
  readonly env: string;
  /** `hex`: raw key bytes for Ktor's transforms (docs/ktor.md); absent: this library's base64url keys. */
  readonly encoding?: 'hex';
}

export type StorageNode =
  | { readonly name: string; readonly kind: 'memory'; readonly maxEntries: number }
  | { readonly name: string; readonly kind: 'directory'; readonly path: string; readonly maxEntries: number }
  | { readonly name: string; readonly kind: 'redis'; readonly urlEnv: string; readonly prefix: string };

export interface TypeNode {
  /** Name in `types:`; also the exported TypeScript type name. */
  readonly name: string;
  readonly schema: JsonSchema;
}

export type SerializerNode =
  | { readonly kind: 'json' }
  /** The app's own codec; `module` is relative to the spec file's folder, as written in the spec. */
  | { readonly kind: 'module'; readonly module: string; readonly export: string }
  /** Ktor's wire format (docs/ktor.md): kotlinx JSON (Ktor 3.x) or the reflection text format (Ktor 1.x/2.x). */
  | { readonly kind: 'ktor-json' | 'ktor-reflection' };

export type TransformNode =
  | {
      readonly kind: 'sign' | 'encrypt';
      /** Key ring name in `keys:`. */
      readonly keyRing: string;
    }
  | { readonly kind: 'ktor-sign'; readonly keyRing: string; readonly algorithm: 'sha256' | 'sha1' }
  /** `keyRing` holds the AES keys, `signKeyRing` the HMAC keys. */
  | { readonly kind: 'ktor-encrypt'; readonly keyRing: string; readonly signKeyRing: string; readonly legacyMac: boolean };

/** `migrateFrom:` of a native session: the Ktor-format session whose users it takes over. */
export interface MigrationNode {
  readonly session: string;
  /** Leave the Ktor cookie in place (the Ktor service still reads it) instead of expiring it. */
  readonly keepSource: boolean;
  /** Migrate from a `ktor-encrypt` session although a cookie holder can choose its first 16 payload bytes (security.md #57). */
  readonly trustUnauthenticatedIv: boolean;
}

export interface CookieNode {
  readonly path: string;
  readonly domain?: string;
  readonly httpOnly: boolean;
  readonly secure: boolean | 'auto';
  readonly sameSite: 'strict' | 'lax' | 'none';
  readonly partitioned: boolean;
  readonly priority?: 'low' | 'medium' | 'high';
}

export interface ExpiryNode {
  /** Absolute lifetime in seconds, counted from creation. */
  readonly maxAge: number;
  /** Sliding idle timeout in seconds. */
  readonly idle?: number;
  readonly rolling: boolean;
}

export interface SessionNode {
  /** Accessor name: `ctx.sessions.get('user')`. */
  readonly key: string;
  /** `UserSession`. */
  readonly typeName: string;
  /** `UserSessionProvider`. */
  readonly providerName: string;
  readonly transport: 'cookie' | 'header';
  /** Cookie or header name. */
  readonly wireName: string;
  readonly serializer: SerializerNode;
  readonly transforms: readonly TransformNode[];
  /** Storage name when the session is tracked by id; absent when by value. */
  readonly storage?: string;
  readonly insecure: boolean;
  /** Present for cookie transport only. */
  readonly cookie?: CookieNode;
  readonly expiry: ExpiryNode;
  /** The payload schema as written (with `$ref: '#/types/NAME'`). */
  readonly schema: JsonSchema;
  readonly migrateFrom?: MigrationNode;
}

export interface SpecModel {
  /** The spec's file name (no folders), for the generated header. */
  readonly specFileName: string;
  readonly keyRings: readonly KeyRingNode[];
  readonly storages: readonly StorageNode[];
  readonly types: readonly TypeNode[];
  readonly sessions: readonly SessionNode[];
  /**
   * Whether the entry file declares `ctx.sessions` on Koa's `DefaultContext`; absent means true. Koa has
   * one context type per TypeScript program, so of two specs compiled together only one may.
   */
  readonly augmentKoaContext?: boolean;
}

/** A spec problem with its position, printed as `FILE:LINE:COL: message`. */
export interface SpecError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly message: string;
}

/** An accepted but risky setting, with its position, printed as `FILE:LINE:COL: warning: message`. */
export type SpecWarning = SpecError;
