/**
 * A spec built by hand exactly as the generator would emit it: provider classes with a static
 * `definition`, and the `SpecDefinition` that lists them. The sessions cover each axis:
 *
 * | session | transport        | tracker          | transform | expiry                      |
 * |---------|------------------|------------------|-----------|-----------------------------|
 * | profile | cookie `profile` | by value         | none (insecure: lets tests forge envelopes) | 1h, idle 10m |
 * | visit   | cookie `vid`     | by id in `mem`   | none      | 1h, idle 10m                |
 * | cart    | header X-Cart    | by id in `mem`   | none      | 1d, idle 2h                 |
 * | user    | cookie __Host-user | by value       | encrypt   | 7d, idle 30m, rolling       |
 * | note    | cookie `note`    | by value         | sign      | 1h                          |
 * | scratch | cookie `scratch` | by value         | none      | 1h; schema accepts any `data` |
 */
import { buildDirectoryStorage } from 'typed-sessions/directory';
import { ktorLayer } from 'typed-sessions/ktor';
import { buildRedisStorage } from 'typed-sessions/redis';
import type { Sessions } from 'typed-sessions';
import { GENERATED_FORMAT, SessionProvider, type SessionDefinition, type SpecDefinition } from 'typed-sessions/core';
import { withValidator, type DefinitionData } from '../support/compiled-validator.js';

export interface ProfileSession {
  userId: string;
  roles?: Array<'admin' | 'member'>;
  count?: number;
  note?: string;
  /** A map: the schema allows any key, which is where `__proto__` could slip through. */
  prefs?: Record<string, string>;
}

export interface VisitSession {
  count: number;
}

export interface CartSession {
  items: Array<{ sku: string; qty: number }>;
}

export interface UserSession {
  userId: string;
  admin?: boolean;
}

export interface NoteSession {
  text: string;
}

export interface ScratchSession {
  data?: unknown;
}

export interface SessionMap {
  profile: ProfileSession;
  visit: VisitSession;
  cart: CartSession;
  user: UserSession;
  note: NoteSession;
  scratch: ScratchSession;
}

export type ByIdSessionName = 'visit' | 'cart';

export type TestSessions = Sessions<SessionMap, ByIdSessionName>;

export const HOUR = 3600;

export class ProfileSessionProvider extends SessionProvider<ProfileSession> {
  static readonly definition: SessionDefinition<ProfileSession> = withValidator({
    name: 'profile',
    transport: { kind: 'cookie', name: 'profile', cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false } },
    transforms: [],
    insecure: true,
    expiry: { maxAge: HOUR, idle: 600, rolling: false },
    schema: {
      type: 'object',
      properties: {
        userId: { type: 'string', minLength: 1, maxLength: 64 },
        roles: { type: 'array', items: { enum: ['admin', 'member'] }, maxItems: 2 },
        count: { type: 'integer', minimum: 0 },
        note: { type: 'string', maxLength: 10000 },
        prefs: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['userId'],
      additionalProperties: false,
    },
  });
}

export class VisitSessionProvider extends SessionProvider<VisitSession> {
  static readonly definition: SessionDefinition<VisitSession> = withValidator({
    name: 'visit',
    transport: {
      kind: 'cookie',
      name: 'vid',
      cookie: { path: '/', domain: 'example.test', httpOnly: true, secure: 'auto', sameSite: 'strict', partitioned: false, priority: 'high' },
    },
    storage: 'mem',
    transforms: [],
    expiry: { maxAge: HOUR, idle: 600, rolling: false },
    schema: {
      type: 'object',
      properties: { count: { type: 'integer', minimum: 0 } },
      required: ['count'],
      additionalProperties: false,
    },
  });
}

export class CartSessionProvider extends SessionProvider<CartSession> {
  static readonly definition: SessionDefinition<CartSession> = withValidator({
    name: 'cart',
    transport: { kind: 'header', name: 'X-Cart' },
    storage: 'mem',
    transforms: [],
    expiry: { maxAge: 24 * HOUR, idle: 2 * HOUR, rolling: false },
    schema: {
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/$defs/CartItem' }, maxItems: 50 } },
      required: ['items'],
      additionalProperties: false,
      $defs: {
        CartItem: {
          type: 'object',
          properties: { sku: { type: 'string', minLength: 1 }, qty: { type: 'integer', minimum: 1 } },
          required: ['sku', 'qty'],
          additionalProperties: false,
        },
      },
    },
  });
}

export class UserSessionProvider extends SessionProvider<UserSession> {
  static readonly definition: SessionDefinition<UserSession> = withValidator({
    name: 'user',
    transport: { kind: 'cookie', name: '__Host-user', cookie: { path: '/', httpOnly: true, secure: true, sameSite: 'lax', partitioned: false } },
    transforms: [{ kind: 'encrypt', keys: 'main' }],
    expiry: { maxAge: 7 * 24 * HOUR, idle: 1800, rolling: true },
    schema: {
      type: 'object',
      properties: { userId: { type: 'string', minLength: 1 }, admin: { type: 'boolean' } },
      required: ['userId'],
      additionalProperties: false,
    },
  });
}

export class NoteSessionProvider extends SessionProvider<NoteSession> {
  static readonly definition: SessionDefinition<NoteSession> = withValidator({
    name: 'note',
    transport: { kind: 'cookie', name: 'note', cookie: { path: '/', httpOnly: false, secure: 'auto', sameSite: 'lax', partitioned: false } },
    transforms: [{ kind: 'sign', keys: 'main' }],
    expiry: { maxAge: HOUR, rolling: false },
    schema: {
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
      additionalProperties: false,
    },
  });
}

/** Any `data` passes the schema: what reaches the serializer's own checks. */
export class ScratchSessionProvider extends SessionProvider<ScratchSession> {
  static readonly definition: SessionDefinition<ScratchSession> = withValidator({
    name: 'scratch',
    transport: { kind: 'cookie', name: 'scratch', cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false } },
    transforms: [],
    insecure: true,
    expiry: { maxAge: HOUR, rolling: false },
    schema: { type: 'object', properties: { data: {} }, additionalProperties: false },
  });
}

export const KEYS_ENV = 'TEST_SESSION_KEYS';

/** Every optional layer, as generated code brings those its spec uses: variants of this spec swap in any storage. */
const layers = { redis: buildRedisStorage, directory: buildDirectoryStorage, ktor: ktorLayer };

export const spec: SpecDefinition = {
  format: GENERATED_FORMAT,
  keys: { main: { env: KEYS_ENV } },
  storages: { mem: { kind: 'memory', maxEntries: 1000 } },
  providers: [
    ProfileSessionProvider,
    VisitSessionProvider,
    CartSessionProvider,
    UserSessionProvider,
    NoteSessionProvider,
    ScratchSessionProvider,
  ],
  layers,
};

/**
 * A spec with one session, `definition`, in a provider class of its own: for startup checks over many
 * variants of one setting. Its validator is compiled from its schema, as `gen` would.
 */
export function specWith(definition: DefinitionData, storages: SpecDefinition['storages'] = spec.storages): SpecDefinition {
  return specOf([definition], storages);
}

/** A spec of `definitions`, each in a provider class of its own, in order, with validators compiled from their schemas. */
export function specOf(definitions: readonly DefinitionData[], storages: SpecDefinition['storages'] = spec.storages): SpecDefinition {
  const providers = definitions.map(withValidator).map(
    (definition) =>
      class VariantSessionProvider extends SessionProvider<unknown> {
        static readonly definition = definition;
      },
  );
  return { format: GENERATED_FORMAT, keys: spec.keys, storages, providers, layers };
}
