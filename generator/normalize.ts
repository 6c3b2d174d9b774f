/**
 * Stage 3: a validated spec to the generator's model. Every default is filled in here (defaults.ts), so the
 * emitters never guess; spec order is kept everywhere, and payload schemas pass through exactly as written.
 * A setting the generated definition writes only when set (`insecure`, `trustUnauthenticatedIv`, `load`,
 * `concurrency`, `chunked`, the per-user settings) is in the model only when set, so specs without it
 * generate what they did before it existed.
 */
import type {
  CookieSettings,
  ExpiryDefinition,
  KeyRingDefinition,
  MigrationDefinition,
  RevocationDefinition,
  StorageDefinition,
  TransformDefinition,
  TransportDefinition,
} from 'typed-sessions/rules';
import { SPEC_DEFAULTS, cookiePersistentDefault } from './defaults.js';
import { parseDuration, parseTouchAfter } from './duration.js';
import { SessionNode, type PayloadVersionNode, type SpecModel } from './model.js';
import { versionTypeName } from './names.js';
import { ktorSerializerOf } from './session-facts.js';
import type { RevocationDocument, SessionDocument, SpecDocument, StorageDocument, TransformDocument } from './spec-document.js';


/**
 * @example
 * const validated = validateSpec(loaded.source);
 * if (validated.ok) normalizeSpec(validated.document, 'sessions.yaml').sessions[0]?.typeName; // 'UserSession'
 */
export function normalizeSpec(spec: SpecDocument, specFileName: string): SpecModel {
  return {
    specFileName,
    keys: mapValues(spec.keys ?? {}, (ring): KeyRingDefinition => ({ env: ring.env, ...(ring.encoding === 'hex' ? { encoding: 'hex' } : {}) })),
    storages: mapValues(spec.storages ?? {}, normalizeStorage),
    types: Object.entries(spec.types ?? {}).map(([name, schema]) => ({ name, schema })),
    sessions: Object.entries(spec.sessions).map(([name, session]) => normalizeSession(name, session)),
    // Only when written, so the model of every spec that leaves it out is as before (absent means true).
    ...(spec.augmentKoaContext === undefined ? {} : { augmentKoaContext: spec.augmentKoaContext }),
  };
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Readonly<Record<string, U>> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, map(value)]));
}

function normalizeStorage(storage: StorageDocument): StorageDefinition {
  switch (storage.kind) {
    case 'memory':
      return { kind: 'memory', maxEntries: storage.maxEntries ?? SPEC_DEFAULTS.maxEntries };
    case 'directory':
      return { kind: 'directory', path: storage.path, maxEntries: storage.maxEntries ?? SPEC_DEFAULTS.directoryMaxEntries };
    case 'redis':
      return { kind: 'redis', url: { env: storage.url.env }, prefix: storage.prefix ?? SPEC_DEFAULTS.redisPrefix };
  }
}

function normalizeSession(name: string, session: SessionDocument): SessionNode {
  const { serializer } = session;
  const ktor = ktorSerializerOf(serializer);
  return SessionNode.create(
    {
      name,
      transport: normalizeTransport(name, session),
      ...(session.storage === undefined ? {} : { storage: session.storage }),
      transforms: (session.transform ?? []).map(normalizeTransform),
      ...((session.insecure ?? SPEC_DEFAULTS.insecure) ? { insecure: true } : {}),
      ...(ktor === undefined ? {} : { ktor: { serializer: ktor } }),
      ...(session.migrateFrom === undefined ? {} : { migrateFrom: normalizeMigration(session.migrateFrom) }),
      ...(session.load === 'lazy' ? { load: 'lazy' as const } : {}),
      ...(session.concurrency === undefined ? {} : { concurrency: session.concurrency }),
      // Only above 1, so a spec that never versioned its payload generates what it did before versions existed.
      ...((session.version ?? SPEC_DEFAULTS.payloadVersion) === SPEC_DEFAULTS.payloadVersion ? {} : { version: session.version }),
      ...(session.index === undefined ? {} : { index: payloadPath(session.index) }),
      ...(session.maxPerUser === undefined ? {} : { maxPerUser: session.maxPerUser }),
      ...(session.summary === undefined ? {} : { summary: session.summary.map(payloadPath) }),
      ...(session.revocation === undefined ? {} : { revocation: normalizeRevocation(session.revocation) }),
      expiry: normalizeExpiry(session.expiry ?? {}),
    },
    {
      schema: session.schema,
      ...(typeof serializer === 'object' ? { serializer: { module: serializer.module, export: serializer.export } } : {}),
      ...(session.flash === undefined ? {} : { flash: session.flash }),
      ...(session.history === undefined ? {} : { history: normalizeHistory(name, session.history) }),
      ...(session.acknowledgeLogout === undefined ? {} : { acknowledgeLogout: session.acknowledgeLogout }),
    },
  );
}

/** `history:` oldest first; the rules have checked that the versions run without a gap up to the current one. */
function normalizeHistory(session: string, history: NonNullable<SessionDocument['history']>): PayloadVersionNode[] {
  return Object.entries(history)
    .map(([written, { schema, migrate }]) => {
      const version = Number(written);
      return { version, typeName: versionTypeName(session, version), schema, migrate: { module: migrate.module, export: migrate.export } };
    })
    .sort((a, b) => a.version - b.version);
}

function normalizeTransport(key: string, session: SessionDocument): TransportDefinition {
  const name = session.name ?? key;
  const persistent = cookiePersistentDefault({ ktorFormat: ktorSerializerOf(session.serializer) !== undefined, byId: session.storage !== undefined });
  return (session.transport ?? SPEC_DEFAULTS.transport) === 'cookie'
    ? { kind: 'cookie', name, cookie: normalizeCookie(session.cookie ?? {}, persistent) }
    : { kind: 'header', name };
}

function normalizeMigration(migrateFrom: NonNullable<SessionDocument['migrateFrom']>): MigrationDefinition {
  const written = typeof migrateFrom === 'string' ? { session: migrateFrom } : migrateFrom;
  const trusted = written.trustUnauthenticatedIv ?? SPEC_DEFAULTS.trustUnauthenticatedIv;
  return {
    session: written.session,
    keepSource: written.keepSource ?? SPEC_DEFAULTS.keepSource,
    ...(trusted ? { trustUnauthenticatedIv: true } : {}),
  };
}

function normalizeRevocation(revocation: RevocationDocument): RevocationDefinition {
  return {
    storage: revocation.storage,
    key: payloadPath(revocation.key),
    recheck: seconds(revocation.recheck),
    onStoreDown: revocation.onStoreDown ?? SPEC_DEFAULTS.revocationOnStoreDown,
  };
}

/** `user.id` as the field names the runtime follows: `['user', 'id']`. */
function payloadPath(path: string): string[] {
  return path.split('.');
}

function normalizeTransform(step: TransformDocument): TransformDefinition {
  if ('sign' in step) return { kind: 'sign', keys: step.sign };
  if ('encrypt' in step) return { kind: 'encrypt', keys: step.encrypt };
  if ('ktor-sign' in step) return { kind: 'ktor-sign', keys: step['ktor-sign'], algorithm: step.algorithm ?? SPEC_DEFAULTS.ktorSignAlgorithm };
  const rings = step['ktor-encrypt'];
  return { kind: 'ktor-encrypt', keys: rings.encrypt, signKeys: rings.sign, legacyMac: step.legacyMac ?? SPEC_DEFAULTS.ktorLegacyMac };
}

/** `cookie:` with every default filled in; `persistent` is the session's default for it. */
function normalizeCookie(cookie: Partial<CookieSettings>, persistent: boolean): CookieSettings {
  const defaults = SPEC_DEFAULTS.cookie;
  return {
    path: cookie.path ?? defaults.path,
    ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
    httpOnly: cookie.httpOnly ?? defaults.httpOnly,
    secure: cookie.secure ?? defaults.secure,
    sameSite: cookie.sameSite ?? defaults.sameSite,
    partitioned: cookie.partitioned ?? defaults.partitioned,
    ...(cookie.priority === undefined ? {} : { priority: cookie.priority }),
    // Always written: a definition without it would be persistent, as cookies were before the setting.
    persistent: cookie.persistent ?? persistent,
    ...((cookie.chunked ?? defaults.chunked) ? { chunked: true } : {}),
  };
}

function normalizeExpiry(expiry: NonNullable<SessionDocument['expiry']>): ExpiryDefinition {
  const idle = parseDuration(expiry.idle);
  // Only when written: its default depends on idle, and the runtime's Lifetime computes it (so specs without it generate as before).
  const touchAfter = parseTouchAfter(expiry.touchAfter);
  return {
    maxAge: seconds(expiry.maxAge ?? SPEC_DEFAULTS.maxAge),
    ...(idle === undefined ? {} : { idle }),
    ...(touchAfter === undefined ? {} : { touchAfter }),
    rolling: expiry.rolling ?? SPEC_DEFAULTS.rolling,
  };
}

function seconds(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new TypeError(`normalizeSpec: "${duration}" is not a duration; validate the spec first`);
  return value;
}
