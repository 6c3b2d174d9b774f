/**
 * A spec with Ktor-format sessions, built as the generator emits it (provider classes over definitions), with
 * the keys of Ktor's own tests (vectors/ktor.json):
 *
 * | session | wire                        | format                                  | migrated by                                              |
 * |---------|-----------------------------|-----------------------------------------|----------------------------------------------------------|
 * | ktor    | cookie USER_SESSION         | ktor-json, ktor-encrypt(kaes, kmac)     | account (Ktor cookie expired; trustUnauthenticatedIv)    |
 * | legacy  | cookie LEGACY               | ktor-reflection, ktor-sign(kmac)        | mirror (Ktor cookie kept)                                |
 * | kheader | header X-Ktor               | ktor-json, ktor-sign(khmac)             | -                                                        |
 * | kid     | cookie KID, by id in `mem`  | ktor-json, ktor-sign(kmac), idle 10m    | -                                                        |
 */
import { ktorLayer } from 'typed-sessions/ktor';
import { GENERATED_FORMAT, SessionProvider, type SpecDefinition } from 'typed-sessions/core';
import { withValidator, type DefinitionData } from '../../support/compiled-validator.js';

/** Ktor's `TestUserSession(userId: String, cart: List<String>)`. */
export interface TestUserSession {
  userId: string;
  cart: string[];
}

const testUserSchema = {
  type: 'object',
  properties: { userId: { type: 'string' }, cart: { type: 'array', items: { type: 'string' } } },
  required: ['userId', 'cart'],
  additionalProperties: false,
};
const cookie = { path: '/', httpOnly: true, secure: false, sameSite: 'lax' } as const;
const expiry = { maxAge: 3600, rolling: false };
const ktorSign = { kind: 'ktor-sign', keys: 'kmac', algorithm: 'sha256' } as const;

/** The keys of Ktor's SessionTestJvm.testSessionEncrypted, and of the hmac vector. */
export const KTOR_KEYS = { kaes: '00112233445566778899aabbccddeeff', kmac: '02030405060708090a0b0c', khmac: '003515606058610610561058' };

/** A provider class for `definition`, as the generator emits one, its validator compiled from its schema. */
export function provider<T>(data: DefinitionData<T>) {
  const definition = withValidator(data);
  return class extends SessionProvider<T> {
    static readonly definition = definition;
  };
}

export const ktorSpec: SpecDefinition = {
  format: GENERATED_FORMAT,
  layers: { ktor: ktorLayer },
  keys: { main: { env: 'SESSION_KEYS' }, kaes: { env: 'KTOR_AES', encoding: 'hex' }, kmac: { env: 'KTOR_MAC', encoding: 'hex' }, khmac: { env: 'KTOR_HMAC', encoding: 'hex' } },
  storages: { mem: { kind: 'memory', maxEntries: 1000 } },
  providers: [
    provider({
      name: 'ktor',
      transport: { kind: 'cookie', name: 'USER_SESSION', cookie },
      ktor: { serializer: 'json' },
      transforms: [{ kind: 'ktor-encrypt', keys: 'kaes', signKeys: 'kmac', legacyMac: false }],
      expiry,
      schema: testUserSchema,
    }),
    provider({
      name: 'account',
      transport: { kind: 'cookie', name: 'ACCOUNT', cookie },
      transforms: [{ kind: 'encrypt', keys: 'main' }],
      // Ktor's encrypt format leaves the IV unauthenticated (security.md #57): migrating from it is an opt-in.
      migrateFrom: { session: 'ktor', keepSource: false, trustUnauthenticatedIv: true },
      expiry,
      schema: testUserSchema,
    }),
    provider({
      name: 'legacy',
      transport: { kind: 'cookie', name: 'LEGACY', cookie },
      ktor: { serializer: 'reflection' },
      transforms: [ktorSign],
      expiry,
      schema: testUserSchema,
    }),
    provider({
      name: 'mirror',
      transport: { kind: 'cookie', name: 'MIRROR', cookie },
      transforms: [{ kind: 'sign', keys: 'main' }],
      migrateFrom: { session: 'legacy', keepSource: true },
      expiry,
      schema: testUserSchema,
    }),
    provider({
      name: 'kheader',
      transport: { kind: 'header', name: 'X-Ktor' },
      ktor: { serializer: 'json' },
      transforms: [{ ...ktorSign, keys: 'khmac' }],
      expiry,
      schema: testUserSchema,
    }),
    provider({
      name: 'kid',
      transport: { kind: 'cookie', name: 'KID', cookie },
      storage: 'mem',
      ktor: { serializer: 'json' },
      transforms: [ktorSign],
      expiry: { maxAge: 3600, idle: 600, rolling: false },
      schema: testUserSchema,
    }),
  ],
};
