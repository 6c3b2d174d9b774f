/**
 * Ktor-format definitions that cannot be served fail at `installSessions()` (here `createSessionsMiddleware`)
 * with a `SessionConfigError` that says what to fix, even when the definitions were written by hand.
 */
import { SessionConfigError, generateKey } from 'typed-sessions';
import { createSessionsMiddleware, type SessionDefinition, type SpecDefinition } from 'typed-sessions/core';
import { describe, expect, it } from 'vitest';
import { KTOR_KEYS, ktorSpec, provider, type TestUserSession } from './ktor-fixtures.js';

type Definition = SessionDefinition<unknown>;

/** `ktorSpec` with the definition of session `name` changed. */
function specWith(name: string, change: (definition: Definition) => Definition): SpecDefinition {
  return {
    ...ktorSpec,
    providers: ktorSpec.providers.map((Provider) => {
      return Provider.definition.name === name ? provider(change(Provider.definition) as SessionDefinition<TestUserSession>) : Provider;
    }),
  };
}

const keys = { main: generateKey(), ...KTOR_KEYS };

function install(spec: SpecDefinition, ringOverrides: Record<string, string> = {}): void {
  createSessionsMiddleware(spec, { keys: { ...keys, ...ringOverrides }, env: {}, logger: { warn() {} } });
}

describe('Ktor definitions refused at start-up', () => {
  it('accepts the fixture spec', () => {
    expect(() => install(ktorSpec)).not.toThrow();
  });

  it.each([
    ['migrateFrom names no session', specWith('account', (d) => ({ ...d, migrateFrom: { session: 'nope', keepSource: false } })), /migrates from "nope", which the spec does not declare/],
    ['migrateFrom names a native session', specWith('account', (d) => ({ ...d, migrateFrom: { session: 'mirror', keepSource: false } })), /migrates from "mirror", which is not in Ktor's format/],
    ['migrateFrom with another schema', specWith('account', (d) => ({ ...d, schema: { type: 'object', additionalProperties: false } })), /whose schema differs/],
    ['a Ktor transform on a native session', specWith('mirror', (d) => ({ ...d, transforms: [{ kind: 'ktor-sign', keys: 'kmac', algorithm: 'sha256' }] })), /ktor-sign is Ktor's transform, for sessions in Ktor's wire format/],
    ['a native transform on a Ktor session', specWith('kheader', (d) => ({ ...d, transforms: [{ kind: 'sign', keys: 'main' }] })), /a Ktor service cannot read this library's sign format/],
    ['a Ktor transform on a ring not declared encoding: hex', specWith('kheader', (d) => ({ ...d, transforms: [{ kind: 'ktor-sign', keys: 'main', algorithm: 'sha256' }] })), /ktor-sign names key ring "main", which is not declared encoding: hex/],
    ['a native transform on a ring declared encoding: hex', specWith('mirror', (d) => ({ ...d, transforms: [{ kind: 'sign', keys: 'kmac' }] })), /sign names key ring "kmac", declared encoding: hex/],
    ['an idle timeout on a by-value Ktor session', specWith('kheader', (d) => ({ ...d, expiry: { ...d.expiry, idle: 60 } })), /expiry.idle cannot be enforced: Ktor's wire format has no timestamps/],
    ['two sessions on one cookie name', specWith('mirror', (d) => ({ ...d, transport: { ...d.transport, name: 'ACCOUNT' } })), /session "mirror": cookie name "ACCOUNT" is already used by session "account"/],
    ['load: lazy on a migration target, which is loaded before the handler', specWith('mirror', (d) => ({ ...d, storage: 'mem', load: 'lazy' })), /^session "mirror" migrates from "legacy", but this session is load: lazy, .*; fix migrateFrom in sessions\.yaml$/],
    ['a reflection schema with a union', specWith('legacy', (d) => ({ ...d, schema: { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'integer' }] } }, additionalProperties: false } })), /serializer ktor-reflection, but its schema \/a is a union/],
  ])('%s', (_, spec, message) => {
    expect(() => install(spec)).toThrow(message);
  });

  it('#57 a migration from a ktor-encrypt session without trustUnauthenticatedIv, or that opt-in on a ktor-sign session', () => {
    const untrusted = specWith('account', (d) => ({ ...d, migrateFrom: { session: 'ktor', keepSource: false } }));
    expect(() => install(untrusted)).toThrow(SessionConfigError);
    expect(() => install(untrusted)).toThrow(
      /^session "account" migrates from "ktor", which is sealed with ktor-encrypt alone, .* accept the risk in words: migrateFrom: \{ session: ktor, trustUnauthenticatedIv: true \}; fix migrateFrom in sessions\.yaml$/,
    );
    const unsealed = specWith('legacy', (d) => ({ ...d, transforms: [], insecure: true }));
    expect(() => install(unsealed)).toThrow(/^session "mirror" migrates from "legacy", which travels by value with no ktor-sign or ktor-encrypt transform \(insecure: true\)/);
    const needless = specWith('mirror', (d) => ({ ...d, migrateFrom: { session: 'legacy', keepSource: true, trustUnauthenticatedIv: true } }));
    expect(() => install(needless)).toThrow(/^session "mirror" migrates from "legacy", which has no unauthenticated IV to trust/);
  });

  it('a hex ring that is not hex, naming where it came from, never the key', () => {
    expect(() => install(ktorSpec, { kmac: 'not-hex-at-all' })).toThrow(SessionConfigError);
    expect(() => install(ktorSpec, { kmac: 'not-hex-at-all' })).toThrow(/key ring "kmac" \(installSessions\(\{ keys: \{ kmac \} \}\)\): key 1 of 1 is not hex/);
  });

  it('an AES key of the wrong size', () => {
    expect(() => install(ktorSpec, { kaes: '0102030405'.repeat(4) })).toThrow(/key 1 is 20 bytes; AES needs 16, 24 or 32/);
  });

  it('a hex ring missing from the environment, naming the variable', () => {
    const { kaes: _kaes, ...others } = keys;
    expect(() => createSessionsMiddleware(ktorSpec, { keys: others, env: {}, logger: { warn() {} } })).toThrow(/KTOR_AES is not set/);
  });
});

describe('#61 hex key rings checked for strength at start-up', () => {
  const strong = (seed: number): string => Array.from({ length: 32 }, (_, index) => ((seed + index * 7) % 256).toString(16).padStart(2, '0')).join('');
  const env = { SESSION_KEYS: generateKey(), KTOR_AES: KTOR_KEYS.kaes, KTOR_MAC: strong(1), KTOR_HMAC: strong(2) };

  /** Installs `ktorSpec` with rings from the environment, collecting what the logger is told. */
  function installFromEnv(overrides: Record<string, string>, warnings: unknown[][] = []): void {
    createSessionsMiddleware(ktorSpec, { env: { ...env, ...overrides }, logger: { warn: (...args) => warnings.push(args) } });
  }

  const useRandomBytes = 'give the Ktor service and this ring a key of random bytes';
  it.each([
    ['an empty variable', { KTOR_MAC: '' }, `key ring "kmac" (environment variable KTOR_MAC) is empty; set it to the Ktor service's key bytes as hex`],
    ['an empty key after a comma', { KTOR_MAC: `${strong(3)},` }, 'key ring "kmac" (environment variable KTOR_MAC): key 2 of 2 is empty (a stray comma?). Remove it'],
    ['an all-zero AES key', { KTOR_AES: '00'.repeat(16) }, `key ring "kaes" (environment variable KTOR_AES): key 1 of 1 is one byte value repeated 16 times, so it is no secret; ${useRandomBytes}`],
    ['an all-0xff HMAC key', { KTOR_HMAC: 'ff'.repeat(32) }, `key ring "khmac" (environment variable KTOR_HMAC): key 1 of 1 is one byte value repeated 32 times, so it is no secret; ${useRandomBytes}`],
    ['a 1-byte HMAC key', { KTOR_MAC: '07' }, `key ring "kmac" (environment variable KTOR_MAC): key 1 of 1 is a single byte, so it is no secret; ${useRandomBytes}`],
  ])('#61 refuses %s, naming the variable and the fix, never the key', (_, overrides, message) => {
    expect(() => installFromEnv(overrides)).toThrow(SessionConfigError);
    expect(() => installFromEnv(overrides)).toThrow(message);
    const [variable, value] = Object.entries(overrides)[0]!;
    if (value !== '') expect(() => installFromEnv(overrides)).toThrow(new RegExp(`^(?!.*${value.split(',')[0]}).*${variable}`, 's'));
  });

  it('#61 warns once per ring, naming the variable, about an HMAC key shorter than 32 bytes', () => {
    const warnings: unknown[][] = [];
    // kmac signs three sessions (ktor's MAC, legacy, kid); khmac one. kaes is an AES-128 key, not an HMAC one.
    installFromEnv({ KTOR_MAC: KTOR_KEYS.kmac, KTOR_HMAC: `${strong(4)},${KTOR_KEYS.khmac}` }, warnings);
    expect(warnings).toEqual([
      [expect.stringMatching(/^key ring "kmac" \(environment variable KTOR_MAC\): key 1 of 1 is 11 bytes, under the 32 random bytes/), { keyRing: 'kmac' }],
      [expect.stringMatching(/^key ring "khmac" \(environment variable KTOR_HMAC\): key 2 of 2 is 12 bytes, under the 32 random bytes/), { keyRing: 'khmac' }],
    ]);
  });

  it('#61 says nothing about rings of strong keys', () => {
    const warnings: unknown[][] = [];
    installFromEnv({}, warnings);
    expect(warnings).toEqual([]);
  });
});
