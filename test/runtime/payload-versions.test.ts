/**
 * Payload versions in small (docs/schema-evolution.md): the version field of the envelope, the history
 * rule both sides share, and `PayloadVersions` driven through a pipeline over HTTP, where an insecure
 * session lets the test write any envelope: every version, any payload, as an old deploy would have.
 */
import { historyProblem } from 'typed-sessions/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEnvelope, parseEnvelope, type Envelope } from '../../runtime/envelope.js';
import type { DefinitionData } from '../support/compiled-validator.js';
import { HOUR, specOf } from './fixtures.js';
import { cookiePairs, startServer, type TestServer } from './server.js';

describe('the envelope version field', () => {
  const times = { createdAt: 1700000000, lastSeenAt: 1700000300 };

  it.each<{ name: string; envelope: Envelope; text: string }>([
    { name: 'version 2', envelope: { ...times, payload: '{}', version: 2 }, text: 'v2.1700000000.1700000300.{}' },
    { name: 'six digits', envelope: { ...times, payload: '{}', version: 999999 }, text: 'v999999.1700000000.1700000300.{}' },
    {
      name: 'with a cookie choice and flash values',
      envelope: { ...times, payload: '{"a":1}', flash: '{"n":"x"}', choice: { persistent: false, expiresAt: 1700003600 }, version: 12 },
      text: 'v12.b1700003600.1700000000.1700000300~9.{"n":"x"}.{"a":1}',
    },
    { name: 'flash values alone', envelope: { ...times, flash: '{"n":"x"}', version: 3 }, text: 'v3.1700000000.1700000300~9.{"n":"x"}' },
  ])('$name: written before every other field, and read back as written', ({ envelope, text }) => {
    expect(formatEnvelope(envelope)).toBe(text);
    expect(parseEnvelope(text)).toEqual(envelope);
  });

  it('version 1 is written with no field, as every envelope from before versions, and such an envelope reads with no version', () => {
    expect(formatEnvelope({ ...times, payload: '{}', version: 1 })).toBe('1700000000.1700000300.{}');
    expect(parseEnvelope('1700000000.1700000300.{}')).toEqual({ ...times, payload: '{}' });
  });

  it.each(['v1.', 'v01.', 'v02.', 'v0.', 'v1000000.', 'v-2.', 'v2', 'V2.', 'v 2.', 'v2.v2.', 'v2.v3.'])('one spelling: %s before the times is malformed', (field) => {
    expect(parseEnvelope(`${field}1700000000.1700000300.{}`)).toBeUndefined();
  });
});

describe('historyProblem: the history rule validate and installSessions() share', () => {
  it.each<{ kept: number[]; current: number }>([
    { kept: [], current: 1 },
    { kept: [1], current: 2 },
    { kept: [1, 2], current: 3 },
    { kept: [2, 1], current: 3 },
    // Dropping the oldest versions is how a spec stops reading them.
    { kept: [2], current: 3 },
    { kept: [5, 6], current: 7 },
  ])('kept $kept, current $current: served', ({ kept, current }) => {
    expect(historyProblem(kept, current)).toBeUndefined();
  });

  it.each<{ kept: number[]; current: number; want: string }>([
    {
      kept: [1],
      current: 1,
      want: 'history: holds version 1, but the current version is 1; history keeps only older versions, so raise version: above 1 or remove 1 from history:',
    },
    {
      kept: [1, 3],
      current: 2,
      want: 'history: holds version 3, but the current version is 2; history keeps only older versions, so raise version: above 3 or remove 3 from history:',
    },
    {
      kept: [1],
      current: 3,
      want: "history: keeps version 1 but not version 2, so version 1's migration has nothing to return; add version 2 (its schema and its migration to 3) or drop the versions below it",
    },
    {
      kept: [1, 2, 4],
      current: 5,
      want: "history: keeps version 1 but not version 3, so version 2's migration has nothing to return; add version 3 (its schema and its migration to 4) or drop the versions below it",
    },
  ])('kept $kept, current $current: refused', ({ kept, current, want }) => {
    expect(historyProblem(kept, current)).toBe(want);
  });
});

const cookie = { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false } as const;
const objectOf = (property: string, type: object) => ({ type: 'object', properties: { [property]: type }, required: [property], additionalProperties: false });

/**
 * Version 1 holds `{ a }`, 2 `{ b }`, 3 (current) `{ c }`. The migration from 1 throws for `a: "throw:..."`
 * and returns a `b` of the wrong type for `a: "invalid"`: the payload decides, as real data would.
 */
const toV2 = (payload: unknown): unknown => {
  const { a } = payload as { a: string };
  if (a.startsWith('throw:')) throw new RangeError(`cannot migrate ${a}`);
  return a === 'invalid' ? { b: 5 } : { b: a };
};
const toV3 = (payload: unknown): unknown => ({ c: (payload as { b: string }).b });
const V1 = objectOf('a', { type: 'string' });
const V2 = objectOf('b', { type: 'string' });

function versioned(name: string, history: DefinitionData['history']): DefinitionData {
  return {
    name,
    transport: { kind: 'cookie', name, cookie },
    transforms: [],
    insecure: true,
    expiry: { maxAge: HOUR, rolling: false },
    schema: objectOf('c', { type: 'string' }),
    version: 3,
    history,
  };
}

describe('PayloadVersions through a pipeline: a token of each version, read by a session at version 3', () => {
  let server: TestServer;
  // specOf compiles each version's validator from its schema, as gen does.
  beforeAll(async () => {
    server = await startServer({
      spec: specOf([
        versioned('full', [
          { version: 1, schema: V1, migrate: toV2 },
          { version: 2, schema: V2, migrate: toV3 },
        ]),
        // Version 1 dropped: nothing of it is read any more.
        versioned('trimmed', [{ version: 2, schema: V2, migrate: toV3 }]),
      ]),
    });
  });
  afterAll(() => server.close());

  /** What `session` reads from an insecure token of `envelope` (the envelope as plain base64url), and its events. */
  async function read(session: string, envelope: string) {
    const now = Math.floor(server.clock.now / 1000);
    const token = Buffer.from(envelope.replace('@', `${now}.${now}`), 'utf8').toString('base64url');
    const before = server.events.length;
    const response = await fetch(`${server.url}/s/${session}`, { headers: { cookie: `${session}=${token}` } });
    expect(response.status).toBe(200);
    return { value: ((await response.json()) as { value: unknown }).value, events: server.events.slice(before), setCookie: cookiePairs(response) };
  }

  it('a version 1 payload (no version field) is migrated 1 -> 2 -> 3 and re-sealed as version 3', async () => {
    const result = await read('full', '@.{"a":"Ada"}');
    expect(result.value).toEqual({ c: 'Ada' });
    expect(result.events).toEqual([
      { type: 'migrated', session: 'full', fromVersion: 1, toVersion: 3 },
      { type: 'refreshed', session: 'full', reason: 'migrated' },
    ]);
    const [pair] = result.setCookie;
    expect(Buffer.from(pair!.slice('full='.length), 'base64url').toString('utf8')).toMatch(/^v3\.\d+\.\d+\.\{"c":"Ada"\}$/);
  });

  it('a version 2 payload takes one step; a version 3 one none', async () => {
    expect(await read('full', 'v2.@.{"b":"Ada"}')).toMatchObject({ value: { c: 'Ada' }, events: [{ type: 'migrated', session: 'full', fromVersion: 2, toVersion: 3 }, { type: 'refreshed' }] });
    expect(await read('full', 'v3.@.{"c":"Ada"}')).toEqual({ value: { c: 'Ada' }, events: [], setCookie: [] });
  });

  it.each([
    { name: 'the dropped oldest version', session: 'trimmed', envelope: '@.{"a":"Ada"}' },
    { name: 'a version newer than the current one', session: 'full', envelope: 'v4.@.{"c":"Ada"}' },
    { name: 'a payload its own version refuses', session: 'full', envelope: 'v2.@.{"c":"Ada"}' },
    { name: 'the current payload without its version field (read as version 1)', session: 'full', envelope: '@.{"c":"Ada"}' },
  ])('$name: no session, reason schema', async ({ session, envelope }) => {
    const result = await read(session, envelope);
    expect(result.value).toBeNull();
    expect(result.events).toEqual([{ type: 'rejected', session, reason: 'schema', source: 'token' }]);
  });

  it('a migration that throws: migration_failed with the step and the error class, and no payload data in the event or the log line', async () => {
    const warnings = server.warnings.length;
    const result = await read('full', '@.{"a":"throw:secret-Ada"}');
    expect(result.value).toBeNull();
    expect(result.events).toEqual([{ type: 'rejected', session: 'full', reason: 'migration_failed', source: 'token', fromVersion: 1, toVersion: 2, error: 'threw RangeError' }]);
    expect(server.warnings.slice(warnings)).toHaveLength(1);
    expect(JSON.stringify([result.events, server.warnings])).not.toContain('secret');
  });

  it('a migration that returns what the next version refuses: migration_failed naming the path', async () => {
    const result = await read('full', '@.{"a":"invalid"}');
    expect(result.value).toBeNull();
    expect(result.events).toEqual([
      { type: 'rejected', session: 'full', reason: 'migration_failed', source: 'token', fromVersion: 1, toVersion: 2, error: 'returned a payload version 2 refuses at "/b": must be string' },
    ]);
  });
});
