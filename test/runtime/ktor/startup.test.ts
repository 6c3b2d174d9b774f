/**
 * Ktor-format definitions that cannot be served fail at `installSessions()` (here `createSessionsMiddleware`)
 * with a `SessionConfigError` that says what to fix, even when the definitions were written by hand.
 */
import { SessionConfigError, createSessionsMiddleware, generateKey, type SessionDefinition, type SpecDefinition } from 'typed-sessions/runtime';
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
    ['migrateFrom names a native session', specWith('account', (d) => ({ ...d, migrateFrom: { session: 'mirror', keepSource: false } })), /which is not a Ktor-format session/],
    ['migrateFrom with another schema', specWith('account', (d) => ({ ...d, schema: { type: 'object', additionalProperties: false } })), /whose schema differs/],
    ['a Ktor transform on a native session', specWith('mirror', (d) => ({ ...d, transforms: [{ kind: 'ktor-sign', keys: 'kmac', algorithm: 'sha256' }] })), /uses Ktor's ktor-sign transform but is not in Ktor's format/],
    ['a native transform on a Ktor session', specWith('kheader', (d) => ({ ...d, transforms: [{ kind: 'sign', keys: 'main' }] })), /uses the sign transform, which a Ktor service cannot read/],
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
    const needless = specWith('mirror', (d) => ({ ...d, migrateFrom: { session: 'legacy', keepSource: true, trustUnauthenticatedIv: true } }));
    expect(() => install(needless)).toThrow(/^session "mirror" migrates from "legacy", which has no unauthenticated IV to trust/);
  });

  it('a hex ring that is not hex, naming where it came from, never the key', () => {
    expect(() => install(ktorSpec, { kmac: 'not-hex-at-all' })).toThrow(SessionConfigError);
    expect(() => install(ktorSpec, { kmac: 'not-hex-at-all' })).toThrow(/key ring "kmac" \(installSessions\(\{ keys: \{ kmac \} \}\)\): key 1 of 1 is not hex/);
  });

  it('an AES key of the wrong size', () => {
    expect(() => install(ktorSpec, { kaes: '00'.repeat(20) })).toThrow(/key 1 is 20 bytes; AES needs 16, 24 or 32/);
  });

  it('a hex ring missing from the environment, naming the variable', () => {
    const { kaes: _kaes, ...others } = keys;
    expect(() => createSessionsMiddleware(ktorSpec, { keys: others, env: {}, logger: { warn() {} } })).toThrow(/KTOR_AES is not set/);
  });
});
