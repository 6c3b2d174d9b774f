/**
 * Stage 3: a valid spec to the generator's model. Every default lives here, so the emitters never guess;
 * spec order is kept everywhere, and payload schemas pass through exactly as written.
 */
import { parseDuration } from './duration.js';
import type {
  CookieNode,
  ExpiryNode,
  JsonSchema,
  KeyRingNode,
  MigrationNode,
  SerializerNode,
  SessionNode,
  SpecModel,
  StorageNode,
  TransformNode,
  TypeNode,
} from './model.js';
import { providerName, sessionTypeName } from './names.js';

/** The spec as written, once it has passed spec-schema.json and the semantic rules. */
export interface SpecDocument {
  readonly version: 1;
  readonly keys?: Readonly<Record<string, { readonly env: string; readonly encoding?: 'base64url' | 'hex' }>>;
  readonly storages?: Readonly<Record<string, StorageDocument>>;
  readonly types?: Readonly<Record<string, JsonSchema>>;
  readonly sessions: Readonly<Record<string, SessionDocument>>;
  readonly augmentKoaContext?: boolean;
}

type StorageDocument =
  | { readonly kind: 'memory'; readonly maxEntries?: number }
  | { readonly kind: 'directory'; readonly path: string; readonly maxEntries?: number }
  | { readonly kind: 'redis'; readonly url: { readonly env: string }; readonly prefix?: string };

interface SessionDocument {
  readonly transport?: 'cookie' | 'header';
  readonly name?: string;
  readonly serializer?: 'json' | 'ktor-json' | 'ktor-reflection' | { readonly module: string; readonly export: string };
  readonly transform?: readonly TransformDocument[];
  readonly storage?: string;
  readonly insecure?: boolean;
  readonly cookie?: Partial<CookieNode>;
  readonly expiry?: { readonly maxAge?: string; readonly idle?: string; readonly rolling?: boolean };
  readonly schema: JsonSchema;
  readonly migrateFrom?: string | { readonly session: string; readonly keepSource?: boolean; readonly trustUnauthenticatedIv?: boolean };
}

/** One `transform:` step; the spec schema allows exactly one of the kinds per step. */
type TransformDocument =
  | { readonly sign: string }
  | { readonly encrypt: string }
  | { readonly 'ktor-sign': string; readonly algorithm?: 'sha256' | 'sha1' }
  | { readonly 'ktor-encrypt': { readonly encrypt: string; readonly sign: string }; readonly legacyMac?: boolean };

/** Defaults for everything the spec may leave out (docs/spec.md); spec-schema.json repeats them for editors. */
export const SPEC_DEFAULTS = {
  maxEntries: 100_000,
  // Each session a file of its own (a 4 KiB block and an inode) that every sweep and startup visits: see docs/storage.md.
  directoryMaxEntries: 10_000,
  redisPrefix: 'sess:',
  transport: 'cookie',
  insecure: false,
  maxAge: '7d',
  rolling: false,
  cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false },
  ktorSignAlgorithm: 'sha256',
  ktorLegacyMac: false,
  keepSource: false,
  trustUnauthenticatedIv: false,
} as const;

/**
 * @example
 * const model = normalizeSpec(loaded.data as SpecDocument, 'sessions.yaml');
 * model.sessions[0]?.typeName; // 'UserSession'
 */
export function normalizeSpec(spec: SpecDocument, specFileName: string): SpecModel {
  return {
    specFileName,
    keyRings: Object.entries(spec.keys ?? {}).map(
      ([name, ring]): KeyRingNode => ({ name, env: ring.env, ...(ring.encoding === 'hex' ? { encoding: 'hex' } : {}) }),
    ),
    storages: Object.entries(spec.storages ?? {}).map(([name, storage]) => normalizeStorage(name, storage)),
    types: Object.entries(spec.types ?? {}).map(([name, schema]): TypeNode => ({ name, schema })),
    sessions: Object.entries(spec.sessions).map(([key, session]) => normalizeSession(key, session)),
    // Only when written, so the model of every spec that leaves it out is as before (absent means true).
    ...(spec.augmentKoaContext === undefined ? {} : { augmentKoaContext: spec.augmentKoaContext }),
  };
}

function normalizeStorage(name: string, storage: StorageDocument): StorageNode {
  switch (storage.kind) {
    case 'memory':
      return { name, kind: 'memory', maxEntries: storage.maxEntries ?? SPEC_DEFAULTS.maxEntries };
    case 'directory':
      return { name, kind: 'directory', path: storage.path, maxEntries: storage.maxEntries ?? SPEC_DEFAULTS.directoryMaxEntries };
    case 'redis':
      return { name, kind: 'redis', urlEnv: storage.url.env, prefix: storage.prefix ?? SPEC_DEFAULTS.redisPrefix };
  }
}

function normalizeSession(key: string, session: SessionDocument): SessionNode {
  const transport = session.transport ?? SPEC_DEFAULTS.transport;
  return {
    key,
    typeName: sessionTypeName(key),
    providerName: providerName(key),
    transport,
    wireName: session.name ?? key,
    serializer: normalizeSerializer(session.serializer),
    transforms: (session.transform ?? []).map(normalizeTransform),
    ...(session.storage === undefined ? {} : { storage: session.storage }),
    insecure: session.insecure ?? SPEC_DEFAULTS.insecure,
    ...(transport === 'cookie' ? { cookie: normalizeCookie(session.cookie ?? {}) } : {}),
    expiry: normalizeExpiry(session.expiry ?? {}),
    schema: session.schema,
    ...(session.migrateFrom === undefined ? {} : { migrateFrom: normalizeMigration(session.migrateFrom) }),
  };
}

function normalizeMigration(migrateFrom: NonNullable<SessionDocument['migrateFrom']>): MigrationNode {
  const written = typeof migrateFrom === 'string' ? { session: migrateFrom } : migrateFrom;
  return {
    session: written.session,
    keepSource: written.keepSource ?? SPEC_DEFAULTS.keepSource,
    trustUnauthenticatedIv: written.trustUnauthenticatedIv ?? SPEC_DEFAULTS.trustUnauthenticatedIv,
  };
}

function normalizeSerializer(serializer: SessionDocument['serializer']): SerializerNode {
  if (serializer === undefined) return { kind: 'json' };
  return typeof serializer === 'string' ? { kind: serializer } : { kind: 'module', module: serializer.module, export: serializer.export };
}

function normalizeTransform(step: TransformDocument): TransformNode {
  if ('sign' in step) return { kind: 'sign', keyRing: step.sign };
  if ('encrypt' in step) return { kind: 'encrypt', keyRing: step.encrypt };
  if ('ktor-sign' in step) return { kind: 'ktor-sign', keyRing: step['ktor-sign'], algorithm: step.algorithm ?? SPEC_DEFAULTS.ktorSignAlgorithm };
  const rings = step['ktor-encrypt'];
  return { kind: 'ktor-encrypt', keyRing: rings.encrypt, signKeyRing: rings.sign, legacyMac: step.legacyMac ?? SPEC_DEFAULTS.ktorLegacyMac };
}

function normalizeCookie(cookie: Partial<CookieNode>): CookieNode {
  const defaults = SPEC_DEFAULTS.cookie;
  return {
    path: cookie.path ?? defaults.path,
    ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
    httpOnly: cookie.httpOnly ?? defaults.httpOnly,
    secure: cookie.secure ?? defaults.secure,
    sameSite: cookie.sameSite ?? defaults.sameSite,
    partitioned: cookie.partitioned ?? defaults.partitioned,
    ...(cookie.priority === undefined ? {} : { priority: cookie.priority }),
  };
}

function normalizeExpiry(expiry: NonNullable<SessionDocument['expiry']>): ExpiryNode {
  const idle = parseDuration(expiry.idle);
  return {
    maxAge: seconds(expiry.maxAge ?? SPEC_DEFAULTS.maxAge),
    ...(idle === undefined ? {} : { idle }),
    rolling: expiry.rolling ?? SPEC_DEFAULTS.rolling,
  };
}

function seconds(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new TypeError(`normalizeSpec: "${duration}" is not a duration; validate the spec first`);
  return value;
}
