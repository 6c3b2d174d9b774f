/**
 * security.md #65: every rule `validate` checks is the rule `installSessions()` and the request path
 * check. Over generated specs (transport, cookie and header names, path, domain, the Secure-demanding
 * settings, persistence, chunking, expiry with touchAfter and rolling, by id or by value, a payload property's name), `validate` accepts a spec exactly when
 * the runtime installs the same session and a `set` of a valid payload is read back over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RedisStorage, SessionConfigError, generateKey } from 'typed-sessions';
import { createSessionsMiddleware, type SpecDefinition } from 'typed-sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration, parseTouchAfter } from '../../generator/duration.js';
import { definitionLiteral } from '../../generator/emit/session-definition.js';
import { planSerializerImports } from '../../generator/emit/imports.js';
import { loadSpecText } from '../../generator/spec.js';
import { CodeExpression } from '../../generator/emit/literal.js';
import { createPayloadAjv } from '../../generator/emit/payload-ajv.js';
import { specOf } from '../runtime/fixtures.js';
import { cookiePairs, putJson, startServer } from '../runtime/server.js';
import type { DefinitionData } from '../support/compiled-validator.js';

interface Variant {
  readonly transport: 'cookie' | 'header';
  readonly name: string;
  readonly path: string | undefined;
  readonly domain: string | undefined;
  readonly secure: boolean | 'auto' | undefined;
  readonly sameSite: 'strict' | 'lax' | 'none' | undefined;
  readonly partitioned: boolean | undefined;
  readonly persistent: boolean | undefined;
  readonly chunked: boolean | undefined;
  readonly byId: boolean;
  readonly property: string;
  readonly maxAge: string;
  readonly idle: string | undefined;
  readonly touchAfter: string | 0 | undefined;
  readonly rolling: boolean | undefined;
}

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const variants: fc.Arbitrary<Variant> = fc.record({
  transport: fc.constantFrom('cookie', 'header'),
  name: fc.oneof(
    fc.constantFrom('sid', '__Host-sid', '__Secure-sid', '__host-sid', 'X-Session', 'Cookie', 'Connection', 'te', 'a b', 'a=b', 'a;b', 'é'),
    fc.string({ minLength: 1, maxLength: 6 }),
  ),
  path: optional(fc.oneof(fc.constantFrom('/', '/app', '/a=b', '/a b', '/a,b', '/a;b', 'app', '/é', '/\t', '/a\u007f'), fc.string({ maxLength: 5 }).map((rest) => `/${rest}`))),
  domain: optional(fc.constantFrom('example.com', 'sub.example.com', '.example.com', 'exa mple.com', 'a=b.com', 'localhost', 'a..b', 'example.com:80')),
  secure: optional(fc.constantFrom(true, false, 'auto' as const)),
  sameSite: optional(fc.constantFrom('strict', 'lax', 'none' as const)),
  partitioned: optional(fc.boolean()),
  persistent: optional(fc.boolean()),
  chunked: optional(fc.boolean()),
  byId: fc.boolean(),
  property: fc.oneof(fc.constantFrom('userId', 'constructor', '__proto__', 'toString', 'a"constructor', 'hasOwnProperty'), fc.string({ maxLength: 6 })),
  maxAge: fc.constantFrom('1h', '7d', '400d', '401d'),
  idle: optional(fc.constantFrom('30m', '2h', '7d', '400d')),
  touchAfter: optional(fc.constantFrom<string | 0>(0, '1m', '30m', '2h', '2w')),
  rolling: optional(fc.boolean()),
});

function schemaOf(variant: Variant): object {
  return { type: 'object', properties: { [variant.property]: { type: 'string' } }, required: [variant.property], additionalProperties: false };
}

/** The spec as a user writes it; YAML reads JSON as it is, so any string survives. */
function specText(variant: Variant): string {
  const cookie = Object.fromEntries(
    Object.entries({
      path: variant.path,
      domain: variant.domain,
      secure: variant.secure,
      sameSite: variant.sameSite,
      partitioned: variant.partitioned,
      persistent: variant.persistent,
      chunked: variant.chunked,
    }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  const session = {
    transport: variant.transport,
    name: variant.name,
    ...(variant.transport === 'cookie' && Object.keys(cookie).length > 0 ? { cookie } : {}),
    ...(variant.byId ? { storage: 'mem' } : { transform: [{ encrypt: 'main' }] }),
    expiry: withoutUndefined({ maxAge: variant.maxAge, idle: variant.idle, touchAfter: variant.touchAfter, rolling: variant.rolling }),
    schema: schemaOf(variant),
  };
  return JSON.stringify({ version: 1, keys: { main: { env: 'SESSION_KEYS' } }, storages: { mem: { kind: 'memory' } }, sessions: { prop: session } });
}

/** The same session as a definition written by hand, defaults filled in as the generator fills them. */
function definitionOf(variant: Variant): DefinitionData {
  return {
    name: 'prop',
    transport:
      variant.transport === 'header'
        ? { kind: 'header', name: variant.name }
        : {
            kind: 'cookie',
            name: variant.name,
            cookie: {
              path: variant.path ?? '/',
              ...(variant.domain === undefined ? {} : { domain: variant.domain }),
              httpOnly: true,
              secure: variant.secure ?? 'auto',
              sameSite: variant.sameSite ?? 'lax',
              partitioned: variant.partitioned ?? false,
              persistent: variant.persistent ?? false,
              ...(variant.chunked === true ? { chunked: true } : {}),
            },
          },
    ...(variant.byId ? { storage: 'mem' } : {}),
    transforms: variant.byId ? [] : [{ kind: 'encrypt', keys: 'main' }],
    expiry: {
      maxAge: parseDuration(variant.maxAge)!,
      ...(variant.idle === undefined ? {} : { idle: parseDuration(variant.idle)! }),
      ...(variant.touchAfter === undefined ? {} : { touchAfter: parseTouchAfter(variant.touchAfter)! }),
      rolling: variant.rolling ?? false,
    },
    schema: schemaOf(variant),
  };
}

/** Plain data, with the properties an object literal leaves out (`undefined`) gone. */
function withoutUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Whether the runtime installs the definition, and a `set` of a valid payload is then read back over HTTP. */
async function runtimeServes(variant: Variant): Promise<boolean> {
  const spec = specOf([definitionOf(variant)], { mem: { kind: 'memory', maxEntries: 100 } });
  try {
    createSessionsMiddleware(spec, { keys: { main: generateKey() }, env: {}, logger: { warn() {} } });
  } catch (error) {
    if (error instanceof SessionConfigError) return false;
    throw error;
  }
  const server = await startServer({ spec });
  try {
    const payload = { [variant.property]: 'x' };
    const set = await putJson(`${server.url}/s/prop`, payload);
    if (set.status !== 204) return false;
    // Every cookie the write set: one, or a chunked session's chunks.
    const headers: Record<string, string> = variant.transport === 'header' ? { [variant.name]: set.headers.get(variant.name)! } : { cookie: cookiePairs(set).join('; ') };
    const read = (await (await fetch(`${server.url}/s/prop`, { headers })).json()) as { value: unknown };
    expect(read.value).toEqual(payload);
    return true;
  } finally {
    await server.close();
  }
}

describe('#65 validate and the runtime apply one set of rules', () => {
  it('#65 the two cases the review found: a cookie path "/a=b" and a payload property named constructor', async () => {
    const base: Variant = {
      transport: 'cookie',
      name: 'sid',
      path: undefined,
      domain: undefined,
      secure: undefined,
      sameSite: undefined,
      partitioned: undefined,
      persistent: undefined,
      chunked: undefined,
      byId: false,
      property: 'userId',
      maxAge: '7d',
      idle: undefined,
      touchAfter: undefined,
      rolling: undefined,
    };
    for (const variant of [{ ...base, path: '/a=b' }, { ...base, property: 'constructor' }]) {
      expect(loadSpecText(specText(variant), 'sessions.yaml').ok).toBe(false);
      expect(await runtimeServes(variant)).toBe(false);
    }
    expect(loadSpecText(specText(base), 'sessions.yaml').ok).toBe(true);
    expect(await runtimeServes(base)).toBe(true);
  });

  it('#65 property: validate accepts a generated spec exactly when the runtime serves it, and gen emits what was written by hand', async () => {
    await fc.assert(
      fc.asyncProperty(variants, async (variant) => {
        const loaded = loadSpecText(specText(variant), 'sessions.yaml');
        if (loaded.ok) {
          const [session] = loaded.model.sessions;
          // The validator is a reference into the generated validators.ts; the test compiles its own.
          const { validate, ...data } = definitionLiteral(session!, loaded.model.types, new Map());
          expect(validate).toEqual(new CodeExpression('validators.validatePropSession'));
          expect(withoutUndefined(data)).toEqual(withoutUndefined(definitionOf(variant)));
        }
        expect(await runtimeServes(variant)).toBe(loaded.ok);
      }),
      { numRuns: 300 },
    );
  });
});

type TransformName = 'sign' | 'encrypt' | 'ktor-sign' | 'ktor-encrypt';

/** One session of a two-session spec, along the axes of the rules that relate settings to each other. */
interface SessionVariant {
  readonly transport: 'cookie' | 'header';
  readonly name: 'sid' | 'SID' | 'sid.1' | 'X-S' | 'x-s';
  /** `cookie.chunked: true` and `cookie.persistent`, written for a cookie session only (a header session's `cookie:` is refused on its own). */
  readonly chunked: boolean;
  readonly persistent: boolean | undefined;
  readonly ktorFormat: boolean;
  readonly byId: boolean;
  readonly transforms: readonly TransformName[];
  /** Each transform on a ring of its own encoding, or of the other one. */
  readonly ringsMatch: boolean;
  readonly insecure: boolean;
  readonly idle: boolean;
  /** Declares a flash value, which only a native session can carry. */
  readonly flash: boolean;
  /** The payload property: the two sessions' schemas are the same when it is. */
  readonly property: 'userId' | 'id';
}

interface PairVariant {
  readonly a: SessionVariant;
  readonly b: SessionVariant;
  /** `a` migrates from `b`; `trust` writes trustUnauthenticatedIv: true. */
  readonly migration: { readonly trust: boolean } | undefined;
}

const sessionVariants: fc.Arbitrary<SessionVariant> = fc.record({
  transport: fc.constantFrom('cookie', 'header'),
  name: fc.constantFrom('sid', 'SID', 'sid.1', 'X-S', 'x-s'),
  chunked: fc.boolean(),
  persistent: optional(fc.boolean()),
  ktorFormat: fc.boolean(),
  byId: fc.boolean(),
  transforms: fc.constantFrom<readonly TransformName[]>([], ['sign'], ['encrypt'], ['sign', 'encrypt'], ['ktor-sign'], ['ktor-encrypt'], ['ktor-encrypt', 'ktor-sign'], ['encrypt', 'ktor-sign']),
  ringsMatch: fc.boolean(),
  insecure: fc.boolean(),
  idle: fc.boolean(),
  flash: fc.boolean(),
  property: fc.constantFrom('userId', 'id'),
});

const pairVariants: fc.Arbitrary<PairVariant> = fc.record({
  a: sessionVariants,
  b: sessionVariants,
  migration: optional(fc.record({ trust: fc.boolean() })),
});

/** The ring a transform step names: `main` holds this library's keys, `raw` a Ktor service's (encoding: hex). */
function ringFor(transform: TransformName, session: SessionVariant): 'main' | 'raw' {
  return transform.startsWith('ktor-') === session.ringsMatch ? 'raw' : 'main';
}

function sessionSpec(session: SessionVariant, migration: PairVariant['migration']): object {
  const transform = session.transforms.map((kind) =>
    kind === 'ktor-encrypt' ? { [kind]: { encrypt: ringFor(kind, session), sign: ringFor(kind, session) } } : { [kind]: ringFor(kind, session) },
  );
  return {
    transport: session.transport,
    name: session.name,
    ...(session.transport === 'cookie' ? { cookie: { ...(session.chunked ? { chunked: true } : {}), ...(session.persistent === undefined ? {} : { persistent: session.persistent }) } } : {}),
    ...(session.ktorFormat ? { serializer: 'ktor-json' } : {}),
    ...(session.byId ? { storage: 'mem' } : {}),
    ...(transform.length > 0 ? { transform } : {}),
    ...(session.insecure ? { insecure: true } : {}),
    expiry: session.idle ? { maxAge: '1h', idle: '30m' } : { maxAge: '1h' },
    ...(migration === undefined ? {} : { migrateFrom: migration.trust ? { session: 'b', trustUnauthenticatedIv: true } : 'b' }),
    schema: schemaOf({ property: session.property } as Variant),
    ...(session.flash ? { flash: { notice: { type: 'string' } } } : {}),
  };
}

function pairSpecText(pair: PairVariant): string {
  return JSON.stringify({
    version: 1,
    keys: { main: { env: 'SESSION_KEYS' }, raw: { env: 'KTOR_KEYS', encoding: 'hex' } },
    storages: { mem: { kind: 'memory' } },
    sessions: { a: sessionSpec(pair.a, pair.migration), b: sessionSpec(pair.b, undefined) },
  });
}

function sessionDefinition(name: 'a' | 'b', session: SessionVariant, migration: PairVariant['migration']): DefinitionData {
  return {
    name,
    transport:
      session.transport === 'header'
        ? { kind: 'header', name: session.name }
        : {
            kind: 'cookie',
            name: session.name,
            cookie: {
              path: '/',
              httpOnly: true,
              secure: 'auto',
              sameSite: 'lax',
              partitioned: false,
              // Left out, a by-value Ktor session's cookie is persistent: its Max-Age is its only expiry.
              persistent: session.persistent ?? (session.ktorFormat && !session.byId),
              ...(session.chunked ? { chunked: true } : {}),
            },
          },
    ...(session.byId ? { storage: 'mem' } : {}),
    transforms: session.transforms.map((kind) => {
      const keys = ringFor(kind, session);
      if (kind === 'ktor-sign') return { kind, keys, algorithm: 'sha256' };
      if (kind === 'ktor-encrypt') return { kind, keys, signKeys: keys, legacyMac: false };
      return { kind, keys };
    }),
    ...(session.insecure ? { insecure: true } : {}),
    ...(session.ktorFormat ? { ktor: { serializer: 'json' } } : {}),
    ...(migration === undefined ? {} : { migrateFrom: { session: 'b', keepSource: false, ...(migration.trust ? { trustUnauthenticatedIv: true } : {}) } }),
    expiry: { maxAge: 3600, ...(session.idle ? { idle: 1800 } : {}), rolling: false },
    schema: schemaOf({ property: session.property } as Variant),
    // The validator `gen` would compile; compared with the generated definition by its keys (a literal prints it as code).
    ...(session.flash ? { flash: { notice: NOTICE_VALIDATOR } } : {}),
  };
}

const NOTICE_VALIDATOR = createPayloadAjv().compile({ type: 'string' });

/** A definition's flash validators as their keys, so a generated literal and a compiled definition compare. */
function flashKeys<D extends { readonly flash?: object | undefined }>(definition: D): Omit<D, 'flash'> & { flash?: string[] } {
  const { flash, ...rest } = definition;
  return flash === undefined ? rest : { ...rest, flash: Object.keys(flash) };
}

/** Whether `installSessions()` accepts the two sessions, defined by hand as `gen` would define them. */
function runtimeInstalls(pair: PairVariant): boolean {
  return installsWithBothRings([sessionDefinition('a', pair.a, pair.migration), sessionDefinition('b', pair.b, undefined)], { mem: { kind: 'memory', maxEntries: 100 } });
}

/** Whether `installSessions()` accepts `definitions` with this library's key ring `main` and a Ktor service's `raw`. */
function installsWithBothRings(definitions: readonly DefinitionData[], storages: SpecDefinition['storages']): boolean {
  const spec = { ...specOf(definitions, storages), keys: { main: { env: 'SESSION_KEYS' }, raw: { env: 'KTOR_KEYS', encoding: 'hex' as const } } };
  try {
    createSessionsMiddleware(spec, { keys: { main: generateKey(), raw: randomBytes(32).toString('hex') }, env: {}, logger: { warn() {} } });
    return true;
  } catch (error) {
    if (error instanceof SessionConfigError) return false;
    throw error;
  }
}

describe('#65 the rules relating settings to each other agree too', () => {
  it('#65 property: over two sessions (formats, transforms, key ring encodings, protection, Ktor idle and persistence, flash, chunked cookies, wire names, migration), validate accepts exactly what installSessions() installs', () => {
    fc.assert(
      fc.property(pairVariants, (pair) => {
        const loaded = loadSpecText(pairSpecText(pair), 'sessions.yaml');
        if (loaded.ok) {
          const emitted = loaded.model.sessions.map((session) => {
            const { validate: _validate, ...data } = definitionLiteral(session, loaded.model.types, new Map());
            return withoutUndefined(flashKeys(data));
          });
          expect(emitted).toEqual(withoutUndefined([sessionDefinition('a', pair.a, pair.migration), sessionDefinition('b', pair.b, undefined)].map(flashKeys)));
        }
        expect(runtimeInstalls(pair)).toBe(loaded.ok);
      }),
      { numRuns: 2000 },
    );
  });
});

type StorageKind = 'memory' | 'directory' | 'redis';

/** By value (`storage` undefined) or by id in a storage of each kind, with or without `concurrency: serialize`. */
const concurrencyVariants = ([undefined, 'memory', 'directory', 'redis'] as const).flatMap((storage) =>
  [false, true].map((serialize) => ({ storage: storage as StorageKind | undefined, serialize })),
);

describe('#65 concurrency: serialize is judged alike by validate and installSessions()', () => {
  let folder: string;
  // Never connects: the storage is only built, as installSessions() builds it.
  const client = new Redis({ lazyConnect: true });
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'typed-sessions-agreement-'));
  });
  afterAll(async () => {
    client.disconnect();
    await rm(folder, { recursive: true, force: true });
  });

  it.each(concurrencyVariants)('storage $storage, serialize $serialize: validate accepts exactly what the runtime installs, and gen emits what was written by hand', ({ storage, serialize }) => {
    const declared = { memory: { kind: 'memory' }, directory: { kind: 'directory', path: folder }, redis: { kind: 'redis', url: { env: 'REDIS_URL' } } } as const;
    const defined = {
      memory: { kind: 'memory', maxEntries: 100_000 },
      directory: { kind: 'directory', path: folder, maxEntries: 10_000 },
      redis: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' },
    } as const;
    const schema = schemaOf({ property: 'userId' } as Variant);
    const text = JSON.stringify({
      version: 1,
      keys: { main: { env: 'SESSION_KEYS' } },
      storages: storage === undefined ? {} : { s: declared[storage] },
      sessions: {
        prop: { ...(storage === undefined ? { transform: [{ encrypt: 'main' }] } : { storage: 's' }), ...(serialize ? { concurrency: 'serialize' } : {}), schema },
      },
    });
    const definition: DefinitionData = {
      name: 'prop',
      transport: { kind: 'cookie', name: 'prop', cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: false } },
      ...(storage === undefined ? {} : { storage: 's' }),
      transforms: storage === undefined ? [{ kind: 'encrypt', keys: 'main' }] : [],
      ...(serialize ? { concurrency: 'serialize' } : {}),
      expiry: { maxAge: parseDuration('7d')!, rolling: false },
      schema,
    };
    const loaded = loadSpecText(text, 'sessions.yaml');
    if (loaded.ok) {
      const { validate: _validate, ...data } = definitionLiteral(loaded.model.sessions[0]!, loaded.model.types, new Map());
      expect(withoutUndefined(data)).toEqual(withoutUndefined(definition));
    }
    const spec = specOf([definition], storage === undefined ? {} : { s: defined[storage] });
    const installs = (() => {
      try {
        createSessionsMiddleware(spec, { keys: { main: generateKey() }, env: {}, logger: { warn() {} }, storages: storage === 'redis' ? { s: new RedisStorage(client) } : {} });
        return true;
      } catch (error) {
        if (error instanceof SessionConfigError) return false;
        throw error;
      }
    })();
    expect(installs).toBe(loaded.ok);
    // What the rule is about: serialize only where the storage has a lock every process shares.
    expect(loaded.ok).toBe(!serialize || storage === 'redis');
  });
});

/** Each payload version a spec could declare, kept in `history:` or not, on a native or a Ktor-format session. */
const versionVariants = [undefined, 1, 2, 3].flatMap((version) =>
  [[], [1], [2], [3], [1, 2], [1, 3], [2, 3], [1, 2, 3]].flatMap((kept) => [false, true].map((ktorFormat) => ({ version, kept, ktorFormat }))),
);

describe('#65 version: and history: are judged alike by validate and installSessions()', () => {
  const schema = schemaOf({ property: 'userId' } as Variant);

  it.each(versionVariants)('version $version, history $kept, Ktor format $ktorFormat: validate accepts exactly what the runtime installs, and the model holds the versions written', ({ version, kept, ktorFormat }) => {
    const history = Object.fromEntries(kept.map((from) => [from, { schema, migrate: { module: './src/session-migrations.js', export: `v${from}toV${from + 1}` } }]));
    const text = JSON.stringify({
      version: 1,
      keys: { main: { env: 'SESSION_KEYS' }, raw: { env: 'KTOR_KEYS', encoding: 'hex' } },
      sessions: {
        prop: {
          ...(ktorFormat ? { serializer: 'ktor-json', transform: [{ 'ktor-sign': 'raw' }] } : { transform: [{ encrypt: 'main' }] }),
          ...(version === undefined ? {} : { version }),
          ...(kept.length === 0 ? {} : { history }),
          schema,
        },
      },
    });
    const definition: DefinitionData = {
      name: 'prop',
      transport: { kind: 'cookie', name: 'prop', cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: ktorFormat } },
      transforms: ktorFormat ? [{ kind: 'ktor-sign', keys: 'raw', algorithm: 'sha256' }] : [{ kind: 'encrypt', keys: 'main' }],
      ...(ktorFormat ? { ktor: { serializer: 'json' } } : {}),
      ...(version === undefined ? {} : { version }),
      ...(kept.length === 0 ? {} : { history: kept.map((from) => ({ version: from, schema, migrate: (payload: unknown) => payload })) }),
      expiry: { maxAge: parseDuration('7d')!, rolling: false },
      schema,
    };
    const loaded = loadSpecText(text, 'sessions.yaml');
    if (loaded.ok) {
      const [session] = loaded.model.sessions;
      expect(session!.version).toBe(version === 1 ? undefined : version);
      expect(session!.history?.map((entry) => entry.version)).toEqual(kept.length === 0 ? undefined : kept);
    }
    expect(installsWithBothRings([definition], {})).toBe(loaded.ok);
    // What the rules are about: history holds only older versions, without a gap up to the current one, and never in Ktor's format.
    const current = version ?? 1;
    const gapless = kept.length === 0 || (Math.max(...kept) === current - 1 && kept.every((from) => from === current - 1 || kept.includes(from + 1)));
    expect(loaded.ok).toBe(gapless && (!ktorFormat || (kept.length === 0 && current === 1)));
  });
});

/** A payload path the per-user settings may name, into the schema below. */
type PayloadPathChoice = 'userId' | 'user.id' | 'user.nick' | 'user.age' | 'tags' | 'owner.id' | 'tags.name' | 'teams.admin' | 'login.id' | 'missing';

/** One session with the per-user settings, by id or by value, native or in Ktor's format, with or without an older version. */
interface PerUserVariant {
  readonly byId: boolean;
  readonly ktorFormat: boolean;
  /** Version 2, keeping version 1, whose payloads may lack userId. */
  readonly history: boolean;
  readonly index: PayloadPathChoice | undefined;
  readonly maxPerUser: number | undefined;
  readonly summary: readonly PayloadPathChoice[] | undefined;
  readonly revocation:
    | { readonly storage: 'mem' | 'gone'; readonly key: PayloadPathChoice; readonly recheck: '30s' | '1h' | '7d'; readonly onStoreDown: 'deny' | 'allow' | undefined }
    | undefined;
}

const PAYLOAD_PATHS: readonly PayloadPathChoice[] = ['userId', 'user.id', 'user.nick', 'user.age', 'tags', 'owner.id', 'tags.name', 'teams.admin', 'login.id', 'missing'];
/** Mostly paths some setting accepts, so that a session with several settings is often valid, and each rule's edge gets hit. */
const payloadPaths = fc.oneof({ weight: 3, arbitrary: fc.constantFrom<PayloadPathChoice>('userId', 'user.id', 'user.nick') }, { weight: 2, arbitrary: fc.constantFrom(...PAYLOAD_PATHS) });

/**
 * Where a setting works (the index by id, revocation by value) it is written half of the time, elsewhere a
 * fifth, so that most sessions hold the settings their placement allows, and each other rule's edge is hit.
 */
const perUserVariants: fc.Arbitrary<PerUserVariant> = fc.boolean().chain((byId) => {
  const written = <T>(setting: fc.Arbitrary<T>, works: boolean) =>
    fc.oneof({ weight: works ? 1 : 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: setting });
  return fc.record({
    byId: fc.constant(byId),
    ktorFormat: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    history: fc.boolean(),
    index: written(payloadPaths, byId),
    maxPerUser: written(fc.constantFrom(1, 5, 1000, 0, 1001), byId),
    summary: written(fc.uniqueArray(payloadPaths, { minLength: 1, maxLength: 2 }), byId),
    revocation: written(
      fc.record({
        storage: fc.oneof({ weight: 3, arbitrary: fc.constant('mem' as const) }, { weight: 1, arbitrary: fc.constant('gone' as const) }),
        key: payloadPaths,
        recheck: fc.oneof({ weight: 3, arbitrary: fc.constant('30s' as const) }, { weight: 1, arbitrary: fc.constantFrom('1h', '7d' as const) }),
        onStoreDown: optional(fc.constantFrom('deny', 'allow' as const)),
      }),
      !byId,
    ),
  });
});

const USER_TYPE = {
  type: 'object',
  properties: { id: { type: 'string' }, nick: { type: 'string' }, age: { type: 'integer' } },
  required: ['id', 'age'],
  additionalProperties: false,
};

/** The current payload: a string, a shared type, a list, a nullable object, a map and a union, as the spec writes it. */
function accountSchema(ref: string): object {
  return {
    type: 'object',
    properties: {
      userId: { type: 'string' },
      user: { $ref: ref },
      tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
      owner: { type: ['object', 'null'], properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
      teams: { type: 'object', additionalProperties: { type: 'string' } },
      login: { oneOf: [{ type: 'null' }, { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false }] },
    },
    required: ['userId', 'user', 'tags', 'owner', 'teams', 'login'],
    additionalProperties: false,
  };
}

/** Version 1's payload, which may lack userId. */
function accountV1Schema(ref: string): object {
  return { type: 'object', properties: { userId: { type: 'string' }, user: { $ref: ref } }, required: ['user'], additionalProperties: false };
}

/** A schema as the definition holds it: its shared type copied into its own `$defs`. */
function selfContained(schema: object): object {
  return { ...schema, $defs: { User: USER_TYPE } };
}

function perUserSpecText(variant: PerUserVariant): string {
  const { revocation } = variant;
  const session = {
    ...(variant.byId ? { storage: 'mem' } : {}),
    ...(variant.ktorFormat ? { serializer: 'ktor-json' } : {}),
    ...(variant.byId ? {} : { transform: [variant.ktorFormat ? { 'ktor-sign': 'raw' } : { encrypt: 'main' }] }),
    expiry: { maxAge: '1h' },
    ...(variant.index === undefined ? {} : { index: variant.index }),
    ...(variant.maxPerUser === undefined ? {} : { maxPerUser: variant.maxPerUser }),
    ...(variant.summary === undefined ? {} : { summary: variant.summary }),
    ...(revocation === undefined ? {} : { revocation: withoutUndefined(revocation) }),
    schema: accountSchema('#/types/User'),
    ...(variant.history ? { version: 2, history: { 1: { schema: accountV1Schema('#/types/User'), migrate: { module: './src/session-migrations.js', export: 'v1toV2' } } } } : {}),
  };
  return JSON.stringify({
    version: 1,
    keys: { main: { env: 'SESSION_KEYS' }, raw: { env: 'KTOR_KEYS', encoding: 'hex' } },
    storages: { mem: { kind: 'memory' } },
    types: { User: USER_TYPE },
    sessions: { prop: session },
  });
}

function perUserDefinition(variant: PerUserVariant): DefinitionData {
  const { revocation } = variant;
  const path = (written: string) => written.split('.');
  return {
    name: 'prop',
    transport: { kind: 'cookie', name: 'prop', cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: variant.ktorFormat && !variant.byId } },
    ...(variant.byId ? { storage: 'mem' } : {}),
    transforms: variant.byId ? [] : [variant.ktorFormat ? { kind: 'ktor-sign', keys: 'raw', algorithm: 'sha256' } : { kind: 'encrypt', keys: 'main' }],
    ...(variant.ktorFormat ? { ktor: { serializer: 'json' } } : {}),
    ...(variant.history ? { version: 2 } : {}),
    ...(variant.index === undefined ? {} : { index: path(variant.index) }),
    ...(variant.maxPerUser === undefined ? {} : { maxPerUser: variant.maxPerUser }),
    ...(variant.summary === undefined ? {} : { summary: variant.summary.map(path) }),
    ...(revocation === undefined
      ? {}
      : { revocation: { storage: revocation.storage, key: path(revocation.key), recheck: parseDuration(revocation.recheck)!, onStoreDown: revocation.onStoreDown ?? 'deny' } }),
    expiry: { maxAge: 3600, rolling: false },
    schema: selfContained(accountSchema('#/$defs/User')),
    ...(variant.history ? { history: [{ version: 1, schema: selfContained(accountV1Schema('#/$defs/User')), migrate: (payload: unknown) => payload }] } : {}),
  };
}

/** A definition's older versions as their numbers and schemas, so a generated literal (whose validators and migrations are code) and a hand-written one compare. */
function historySchemas<D extends { readonly history?: readonly { readonly version: number; readonly schema: object }[] | undefined }>(definition: D): object {
  const { history, ...rest } = definition;
  return history === undefined ? rest : { ...rest, history: history.map(({ version, schema }) => ({ version, schema })) };
}

describe('#65 index, maxPerUser, summary and revocation are judged alike by validate and installSessions()', () => {
  it('#65 property: over placements, payload paths (required strings, optional and nullable fields, lists, maps, unions, an older version), limits, storages and rechecks, validate accepts exactly what installSessions() installs, and gen emits what was written by hand', () => {
    fc.assert(
      fc.property(perUserVariants, (variant) => {
        const loaded = loadSpecText(perUserSpecText(variant), 'sessions.yaml');
        if (loaded.ok) {
          const imports = planSerializerImports(loaded.model, (module) => module);
          const { validate: _validate, ...data } = definitionLiteral(loaded.model.sessions[0]!, loaded.model.types, imports);
          expect(withoutUndefined(historySchemas(data))).toEqual(withoutUndefined(historySchemas(perUserDefinition(variant))));
        }
        expect(installsWithBothRings([perUserDefinition(variant)], { mem: { kind: 'memory', maxEntries: 100 } })).toBe(loaded.ok);
        // What the rules are about: the index by id and revocation by value, both natively; each user key a
        // string every version requires; summary fields the current payload declares outside lists, maps and unions.
        const userKey = (path: PayloadPathChoice) => (variant.history ? path === 'user.id' : path === 'userId' || path === 'user.id');
        const field = (path: PayloadPathChoice) => ['userId', 'user.id', 'user.nick', 'user.age', 'tags', 'owner.id'].includes(path);
        const { index, maxPerUser, summary, revocation } = variant;
        const expected =
          !(variant.ktorFormat && variant.history) &&
          (index === undefined || (variant.byId && !variant.ktorFormat && userKey(index))) &&
          (maxPerUser === undefined || (index !== undefined && maxPerUser >= 1 && maxPerUser <= 1000)) &&
          (summary === undefined || (index !== undefined && summary.every(field))) &&
          (revocation === undefined || (!variant.byId && !variant.ktorFormat && revocation.storage === 'mem' && userKey(revocation.key) && revocation.recheck === '30s'));
        expect(loaded.ok).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
