/**
 * `cookie.chunked: true` (security.md #67) over HTTP against a real Koa server: a by-value token too large
 * for one cookie is split over `NAME.0`, `NAME.1`, `NAME.2`, each `Set-Cookie` line within 4096 bytes with its
 * name and attributes; the chunks are joined again on read, a partial, reordered or recounted set is no
 * session, and chunks a shorter token no longer needs are expired.
 */
import { randomBytes } from 'node:crypto';
import { SessionConfigError, generateKey } from 'typed-sessions';
import { createSessionsMiddleware } from 'typed-sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionData } from '../support/compiled-validator.js';
import { HOUR, spec as fixtureSpec, specOf } from './fixtures.js';
import { cookiePairs, putJson, startServer, type TestServer } from './server.js';

const schema = { type: 'object', properties: { data: { type: 'string', maxLength: 20_000 } }, required: ['data'], additionalProperties: false };
const cookie = { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: true, chunked: true } as const;

const big: DefinitionData = { name: 'big', transport: { kind: 'cookie', name: 'big', cookie }, transforms: [{ kind: 'encrypt', keys: 'main' }], expiry: { maxAge: HOUR, rolling: false }, schema };
const roll: DefinitionData = { ...big, name: 'roll', transport: { kind: 'cookie', name: 'roll', cookie }, transforms: [{ kind: 'sign', keys: 'main' }], expiry: { maxAge: HOUR, rolling: true } };

/** Characters of data whose sealed token takes two and three chunks (base64url adds a third). */
const TWO_CHUNKS = 4000;
const THREE_CHUNKS = 7000;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ spec: specOf([big, roll]) });
});
afterAll(() => server.close());

/** The cookies `response` set, as the Cookie header a browser would send back; expiries left out. */
function cookiesOf(response: Response): string {
  return cookiePairs(response)
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

/** `name=value` of each cookie in a Cookie header, by name. */
function chunksOf(header: string): Map<string, string> {
  return new Map(header.split('; ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

const write = (name: string, data: string, cookies?: string) => putJson(`${server.url}/s/${name}`, { data }, cookies === undefined ? {} : { cookie: cookies });
const read = async (name: string, cookies: string) => {
  server.events.length = 0;
  const response = await fetch(`${server.url}/s/${name}`, { headers: { cookie: cookies } });
  return { response, value: ((await response.json()) as { value: unknown }).value, events: [...server.events] };
};

/** A session of `length` characters of data, and the cookies its response set. */
async function session(length: number): Promise<string> {
  const response = await write('big', 'x'.repeat(length));
  expect(response.status).toBe(204);
  return cookiesOf(response);
}

/** The largest data that fits: found by halving, as every seal of one length has one token length. */
async function largestFitting(): Promise<number> {
  let [fits, fails] = [0, 20_000];
  while (fails - fits > 1) {
    const middle = Math.floor((fits + fails) / 2);
    if ((await write('big', 'x'.repeat(middle))).status === 204) fits = middle;
    else fails = middle;
  }
  return fits;
}

describe('#67 chunked cookies', () => {
  it('#67 a small session is one chunk, big.0, starting with its count; a cookie under the bare name is not read', async () => {
    const response = await write('big', 'small');
    const lines = response.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^big\.0=1\.[A-Za-z0-9_-]+; Path=\/; Max-Age=3600; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect((await read('big', cookiesOf(response))).value).toEqual({ data: 'small' });

    const token = chunksOf(cookiesOf(response)).get('big.0')!.slice(2);
    expect(await read('big', `big=${token}`)).toMatchObject({ value: null, events: [] });
  });

  it('#67 the largest session that fits fills three chunks, each Set-Cookie line within 4096 bytes with its name and attributes; one character more is SessionTooLargeError', async () => {
    const fits = await largestFitting();
    const response = await write('big', 'x'.repeat(fits));
    const lines = response.headers.getSetCookie();
    expect(lines.map((line) => line.slice(0, line.indexOf('=')))).toEqual(['big.0', 'big.1', 'big.2']);
    expect(lines[0]).toMatch(/^big\.0=3\./);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
    // The limit counts `Secure` and a Max-Age of 400 days in; over plain HTTP `secure: auto` leaves out
    // `; Secure`, and this session's Max-Age=3600 is 4 digits shorter than 34560000.
    expect(Math.max(...lines.map((line) => Buffer.byteLength(line)))).toBe(4096 - '; Secure'.length - '3456'.length);
    expect((await read('big', cookiesOf(response))).value).toEqual({ data: 'x'.repeat(fits) });

    const over = await write('big', 'x'.repeat(fits + 1));
    expect(over.status).toBe(422);
    expect(await over.json()).toMatchObject({ code: 'SESSION_TOO_LARGE', message: expect.stringContaining('over the 12288-byte limit') });
  });

  it('#67 chunks are joined by their names, in whatever order the Cookie header lists them', async () => {
    const cookies = await session(TWO_CHUNKS);
    expect([...chunksOf(cookies).keys()]).toEqual(['big.0', 'big.1']);
    const reversed = cookies.split('; ').reverse().join('; ');
    expect((await read('big', `other=1; ${reversed}`)).value).toEqual({ data: 'x'.repeat(TWO_CHUNKS) });
  });

  it('#67 a shorter write expires the chunks it no longer needs', async () => {
    const cookies = await session(THREE_CHUNKS);
    expect(chunksOf(cookies).size).toBe(3);
    const shrunk = await write('big', 'small', cookies);
    expect(cookiePairs(shrunk)).toEqual([expect.stringMatching(/^big\.0=1\./), 'big.1=', 'big.2=']);
    expect(shrunk.headers.getSetCookie().slice(1)).toEqual([
      'big.1=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
      'big.2=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    ]);
    expect((await read('big', cookiesOf(shrunk))).value).toEqual({ data: 'small' });
  });

  it('#67 a set missing a chunk its count announces is incomplete, refused before any MAC, and the chunks sent are expired', async () => {
    const chunks = chunksOf(await session(THREE_CHUNKS));
    const { value, events, response } = await read('big', `big.0=${chunks.get('big.0')}; big.2=${chunks.get('big.2')}`);
    expect(value).toBeNull();
    expect(events).toEqual([{ type: 'rejected', session: 'big', reason: 'incomplete', source: 'token' }]);
    expect(cookiePairs(response)).toEqual(['big.0=', 'big.2=']);
  });

  it('#67 chunks without chunk 0 are incomplete too, and expired', async () => {
    const chunks = chunksOf(await session(TWO_CHUNKS));
    const { value, events, response } = await read('big', `big.1=${chunks.get('big.1')}`);
    expect(value).toBeNull();
    expect(events).toEqual([{ type: 'rejected', session: 'big', reason: 'incomplete', source: 'token' }]);
    expect(cookiePairs(response)).toEqual(['big.0=', 'big.1=']);
  });

  it('#67 reordered chunks are no session: content moved within the token fails the AEAD tag, and so does a count lowered to drop the last chunk', async () => {
    const chunks = chunksOf(await session(THREE_CHUNKS));
    // Whole chunks swapped also move the token's last characters, so strict base64url may refuse it first.
    const swapped = await read('big', `big.0=${chunks.get('big.0')}; big.1=${chunks.get('big.2')}; big.2=${chunks.get('big.1')}`);
    expect(swapped).toMatchObject({ value: null, events: [{ type: 'rejected', session: 'big', reason: expect.stringMatching(/^(?:malformed|tampered)$/), source: 'token' }] });

    const middle = chunks.get('big.1')!;
    const half = Math.floor(middle.length / 2);
    const halvesSwapped = `${middle.slice(half)}${middle.slice(0, half)}`;
    const reordered = await read('big', `big.0=${chunks.get('big.0')}; big.1=${halvesSwapped}; big.2=${chunks.get('big.2')}`);
    expect(reordered).toMatchObject({ value: null, events: [{ type: 'rejected', session: 'big', reason: 'tampered', source: 'token' }] });

    // Two full chunks of `big` hold 7984 characters, whole base64url quanta: the shortened token decodes, and the tag refuses it.
    const recounted = await read('big', `big.0=2.${chunks.get('big.0')!.slice(2)}; big.1=${chunks.get('big.1')}`);
    expect(recounted).toMatchObject({ value: null, events: [{ type: 'rejected', session: 'big', reason: 'tampered', source: 'token' }] });
  });

  it('#67 a chunk 0 without a count in range is malformed', async () => {
    const token = chunksOf(await session(10)).get('big.0')!.slice(2);
    for (const first of [token, `4.${token}`, `0.${token}`]) {
      expect(await read('big', `big.0=${first}`)).toMatchObject({ value: null, events: [{ type: 'rejected', session: 'big', reason: 'malformed', source: 'token' }] });
    }
  });

  it('#67 a stale chunk past the count is ignored on read and expired by the next write', async () => {
    const cookies = `${await session(10)}; big.2=left-from-a-longer-token`;
    expect(await read('big', cookies)).toMatchObject({ value: { data: 'x'.repeat(10) }, events: [] });
    const rewritten = await write('big', 'next', cookies);
    expect(cookiePairs(rewritten)).toEqual([expect.stringMatching(/^big\.0=1\./), 'big.2=']);
  });

  it('#4 #67 a chunk sent twice (a cookie tossed from a sibling domain): the join that verifies wins; more joins than four is ambiguous', async () => {
    const chunks = chunksOf(await session(TWO_CHUNKS));
    const tossed = `big.0=${chunks.get('big.0')}; big.1=AAAA; big.1=${chunks.get('big.1')}`;
    expect(await read('big', tossed)).toMatchObject({ value: { data: 'x'.repeat(TWO_CHUNKS) }, events: [] });

    const flood = `big.0=${chunks.get('big.0')}; ${Array.from({ length: 5 }, () => `big.1=${chunks.get('big.1')}`).join('; ')}`;
    expect(await read('big', flood)).toMatchObject({ value: null, events: [{ type: 'rejected', session: 'big', reason: 'ambiguous', source: 'token' }] });
  });

  it('#58 #67 one limit both ways: chunks joining to more than three full chunks can hold are too_large before any decoding', async () => {
    const full = 'A'.repeat(4000);
    const { value, events } = await read('big', `big.0=3.${full}; big.1=${full}; big.2=${full}`);
    expect(value).toBeNull();
    expect(events).toEqual([{ type: 'rejected', session: 'big', reason: 'too_large', source: 'token' }]);
  });

  it('#67 clear expires chunk 0 and every chunk the request carried', async () => {
    const cookies = await session(THREE_CHUNKS);
    const cleared = await fetch(`${server.url}/s/big`, { method: 'DELETE', headers: { cookie: cookies } });
    expect(cookiePairs(cleared)).toEqual(['big.0=', 'big.1=', 'big.2=']);
    const clearedBare = await fetch(`${server.url}/s/big`, { method: 'DELETE' });
    expect(cookiePairs(clearedBare)).toEqual(['big.0=']);
  });

  it('#67 a rolling refresh re-sends every chunk', async () => {
    const written = await write('roll', 'y'.repeat(TWO_CHUNKS));
    const cookies = cookiesOf(written);
    expect([...chunksOf(cookies).keys()]).toEqual(['roll.0', 'roll.1']);
    server.clock.advance(60);
    const { response, value } = await read('roll', cookies);
    expect(value).toEqual({ data: 'y'.repeat(TWO_CHUNKS) });
    expect(cookiePairs(response).map((pair) => pair.slice(0, pair.indexOf('=')))).toEqual(['roll.0', 'roll.1']);
    expect(response.headers.getSetCookie().every((line) => line.includes('; Max-Age=3540; '))).toBe(true);
  });
});

describe('#65 #67 chunked cookies at startup', () => {
  const refusal = (definitions: DefinitionData[], keys: Record<string, string> = { main: generateKey() }): string => {
    const spec = { ...specOf(definitions), keys: { ...fixtureSpec.keys, raw: { env: 'RAW_KEY', encoding: 'hex' as const } } };
    try {
      createSessionsMiddleware(spec, { keys, env: {}, logger: { warn() {} } });
    } catch (error) {
      expect(error).toBeInstanceOf(SessionConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a SessionConfigError');
  };

  it.each<[string, DefinitionData, string]>([
    [
      'by id',
      { ...big, storage: 'mem', transforms: [] },
      'session "big": cookie.chunked splits a sealed session over several cookies, but a session tracked by id sends only its id, which always fits in one; remove chunked; fix it in sessions.yaml',
    ],
    [
      "in Ktor's format",
      { ...big, ktor: { serializer: 'json' }, transforms: [{ kind: 'ktor-sign', keys: 'raw', algorithm: 'sha256' }] },
      "session \"big\": cookie.chunked splits the token over several cookies, and a Ktor service reads its session from one; remove chunked, or leave Ktor's format; fix it in sessions.yaml",
    ],
  ])('#67 chunked %s is refused, as validate refuses it', (_, definition, message) => {
    expect(refusal([definition], { main: generateKey(), raw: randomBytes(32).toString('hex') })).toBe(message);
  });

  it("#67 a session whose cookie is another's chunk is refused", () => {
    const part: DefinitionData = { ...big, name: 'part', transport: { kind: 'cookie', name: 'big.2', cookie: { ...cookie, chunked: false } } };
    expect(refusal([big, part])).toBe(
      'session "part": cookie name "big.2" is already used by session "big" (a chunked session\'s cookies are NAME.0 to NAME.2); set a different name: on one of them in sessions.yaml',
    );
  });
});
