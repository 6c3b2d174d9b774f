/**
 * `migrateFrom` onto a versioned session (docs/schema-evolution.md): the Ktor service still writes what the
 * native session's version 1 was, so a Ktor payload is read as version 1 and migrated up to the current
 * version before it is re-issued; a migration that fails leaves the user on the Ktor session.
 */
import { createHmac } from 'node:crypto';
import { generateKey } from 'typed-sessions';
import { GENERATED_FORMAT, type SpecDefinition } from 'typed-sessions/core';
import { ktorLayer } from 'typed-sessions/ktor';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../server.js';
import { KTOR_KEYS, provider } from './ktor-fixtures.js';

const userV1 = {
  type: 'object',
  properties: { userId: { type: 'string' }, cart: { type: 'array', items: { type: 'string' } } },
  required: ['userId', 'cart'],
  additionalProperties: false,
};
const userV2 = {
  type: 'object',
  properties: { ...userV1.properties, plan: { enum: ['free', 'paid'] } },
  required: ['userId', 'cart', 'plan'],
  additionalProperties: false,
};
const cookie = { path: '/', httpOnly: true, secure: false, sameSite: 'lax' } as const;
const expiry = { maxAge: 3600, rolling: false };

function specMigratingWith(migrate: (payload: never) => unknown): SpecDefinition {
  return {
    format: GENERATED_FORMAT,
    layers: { ktor: ktorLayer },
    keys: { main: { env: 'SESSION_KEYS' }, kmac: { env: 'KTOR_MAC', encoding: 'hex' } },
    storages: { mem: { kind: 'memory', maxEntries: 100 } },
    providers: [
      provider({
        name: 'legacy',
        transport: { kind: 'cookie', name: 'LEGACY', cookie },
        ktor: { serializer: 'reflection' },
        transforms: [{ kind: 'ktor-sign', keys: 'kmac', algorithm: 'sha256' }],
        expiry,
        schema: userV1,
      }),
      provider({
        name: 'member',
        transport: { kind: 'cookie', name: 'MEMBER', cookie },
        transforms: [{ kind: 'encrypt', keys: 'main' }],
        migrateFrom: { session: 'legacy', keepSource: false },
        version: 2,
        history: [{ version: 1, schema: userV1, migrate }],
        expiry,
        schema: userV2,
      }),
    ],
  };
}

/** A LEGACY cookie as the Ktor service signs it: `TestUserSession("id 2", listOf("a b"))` in Ktor's reflection format. */
function legacyCookie(): string {
  const text = 'cart=%23cl%23sa%252520b&userId=%23sid+2';
  const mac = createHmac('sha256', Buffer.from(KTOR_KEYS.kmac, 'hex')).update(text, 'utf8').digest('hex');
  return `LEGACY=${encodeURIComponent(`${text}/${mac}`)}`;
}

let server: TestServer | undefined;
afterEach(() => server?.close());

async function serve(migrate: (payload: never) => unknown): Promise<TestServer> {
  server = await startServer({ spec: specMigratingWith(migrate), install: { keys: { main: generateKey(), kmac: KTOR_KEYS.kmac } } });
  return server;
}

describe('migrateFrom onto a versioned session', () => {
  it('reads the Ktor payload as version 1, migrates it, and re-issues it under version 2', async () => {
    const { url, events } = await serve((payload: { userId: string; cart: string[] }) => ({ ...payload, plan: 'free' }));
    const response = await fetch(`${url}/s/member`, { headers: { cookie: legacyCookie() } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: { userId: 'id 2', cart: ['a b'], plan: 'free' } });
    expect(events).toContainEqual({ type: 'migrated', session: 'member', from: 'legacy', keptSource: false });
    const lines = response.headers.getSetCookie();
    expect(lines.find((line) => line.startsWith('LEGACY='))).toMatch(/Max-Age=0/);

    // The native cookie is sealed under version 2: it reads back with no payload migration.
    const member = lines.find((line) => line.startsWith('MEMBER='))!.split(';')[0]!;
    events.length = 0;
    const next = await fetch(`${url}/s/member`, { headers: { cookie: member } });
    expect(await next.json()).toEqual({ value: { userId: 'id 2', cart: ['a b'], plan: 'free' } });
    expect(events).toEqual([]);
  });

  it('leaves the user on the Ktor session when the migration throws, and says so without payload data', async () => {
    const { url, events } = await serve(() => {
      throw new TypeError('no plan for id 2');
    });
    const response = await fetch(`${url}/s/legacy`, { headers: { cookie: legacyCookie() } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: { userId: 'id 2', cart: ['a b'] } });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(events).toContainEqual({ type: 'migration_failed', session: 'member', from: 'legacy', error: 'SESSION_MIGRATION_FAILED' });
    expect(JSON.stringify(events)).not.toContain('id 2');
  });

  it('refuses at startup a source whose schema is neither the current version nor one in history', async () => {
    const spec = specMigratingWith((payload) => payload);
    const [legacy, member] = spec.providers;
    const { history: _history, ...withoutHistory } = member!.definition;
    const unversioned = { ...spec, providers: [legacy!, provider({ ...withoutHistory, version: 2 })] };
    await expect(startServer({ spec: unversioned, install: { keys: { main: generateKey(), kmac: KTOR_KEYS.kmac } } })).rejects.toThrow(
      /migrates from "legacy", whose schema differs from this session's and from every version its history: keeps/,
    );
  });
});
