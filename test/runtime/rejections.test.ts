/**
 * Refused incoming sessions: every reason looks the same from outside (#24), keys rotate (#16, #17,
 * #18), sealed timestamps are parsed strictly (#22) and enforce idle (#38) and absolute (#39) expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from 'typed-sessions';
import { parseKeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import type { Transformer } from '../../runtime/transform/transformer.js';
import { cookieValue, forgeProfileToken, putJson, sendRaw, startServer, START, type RawResponse, type TestServer } from './server.js';
import { flipBit } from './token-frames.js';

let server: TestServer;
let sealUser: Transformer;
beforeAll(async () => {
  server = await startServer();
  sealUser = createEncryptTransformer(parseKeyRing('main', server.key, 'test'), 'user');
});
afterAll(() => server.close());

const NOW = START / 1000;

async function readUser(cookie: string): Promise<RawResponse> {
  return sendRaw(server.port, '/s/user', [`Cookie: ${cookie}`]);
}

/** What a client can observe: status, body and every header but Date. */
function observable(response: RawResponse): unknown {
  return { status: response.status, body: response.body, headers: response.headers.filter(([name]) => name !== 'date') };
}

describe('#24 every refusal looks the same from outside', () => {
  // After the reason and the token, what `onLifecycle` gets besides: a session past its time also ends.
  const cases: [reason: string, token: () => string, ...lifecycle: object[]][] = [
    ['malformed', () => 'not-a-token!'],
    ['malformed', () => sealUser.seal('no envelope here')],
    ['malformed', () => sealUser.seal(`${NOW}.${NOW}.{"userId":`)],
    ['tampered', () => flipBit(sealUser.seal(`${NOW}.${NOW}.{"userId":"ada"}`), 200)],
    ['unknown_key', () => createEncryptTransformer(parseKeyRing('main', generateKey(), 'other'), 'user').seal(`${NOW}.${NOW}.{"userId":"ada"}`)],
    ['expired', () => sealUser.seal(`${NOW - 8 * 86400}.${NOW - 60}.{"userId":"ada"}`), { type: 'expired', session: 'user' }],
    // #22: stamped beyond the clock skew is refused as expired, but was never a live session that ended.
    ['expired', () => sealUser.seal(`${NOW + 61}.${NOW + 61}.{"userId":"ada"}`)],
    ['schema', () => sealUser.seal(`${NOW}.${NOW}.{"userId":1}`)],
    ['too_large', () => 'A'.repeat(4097)],
  ];

  it('#24 gives one status, body and header set for every reason, and the reason only to events', async () => {
    const valid = await readUser(`__Host-user=${sealUser.seal(`${NOW}.${NOW}.{"userId":"ada"}`)}`);
    expect(JSON.parse(valid.body)).toEqual({ value: { userId: 'ada' } });

    const seen: unknown[] = [];
    for (const [reason, token, ...lifecycle] of cases) {
      const [events, ended] = [server.events.length, server.lifecycle.length];
      const response = await readUser(`__Host-user=${token()}`);
      seen.push(observable(response));
      expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'user', reason, source: 'token' }]);
      expect(server.lifecycle.slice(ended)).toEqual(lifecycle);
    }
    expect(seen[0]).toMatchObject({ status: 200, body: '{"value":null}' });
    expect((seen[0] as { headers: [string, string][] }).headers).toContainEqual([
      'set-cookie',
      '__Host-user=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax',
    ]);
    for (const response of seen) expect(response).toEqual(seen[0]);
  });

  it('#24 the same when the handler answers with an error status: the status is kept and the cookie expired', async () => {
    const response = await sendRaw(server.port, '/s/user/then-throw', ['Cookie: __Host-user=not-a-token!']);
    expect(response.status).toBe(401);
    expect(response.headers).toContainEqual(['set-cookie', expect.stringMatching(/^__Host-user=; Path=\/; Max-Age=0; /)]);
    expect(response.headers).toContainEqual(['cache-control', 'no-store']);
  });

  it('#42 no warning ever holds the token or the payload', async () => {
    const token = sealUser.seal(`${NOW}.${NOW}.{"userId":"secret-user"}`);
    await readUser(`__Host-user=${flipBit(token, 100)}`);
    await readUser(`__Host-user=${token.slice(0, 60)}`);
    await sendRaw(server.port, '/s/profile', [`Cookie: profile=${forgeProfileToken(NOW, NOW, '{"userId":"secret-user","x":1}')}`]);
    const logged = JSON.stringify(server.warnings);
    expect(server.warnings.length).toBeGreaterThan(0);
    expect(logged).not.toContain(token.slice(10, 40));
    expect(logged).not.toContain('secret-user');
  });
});

describe('key rotation', () => {
  it('#16 a token under an older key is accepted and re-sealed under the newest in the same response; #18 the new token needs only the newest key', async () => {
    const [oldKey, newKey] = [generateKey(), generateKey()];
    const before = await startServer({ install: { keys: { main: oldKey } } });
    const after = await startServer({ install: { keys: { main: [newKey, oldKey] } } });
    try {
      const login = await fetch(`${before.url}/s/user`, { method: 'PUT', body: '{"userId":"ada"}' });
      const oldToken = cookieValue(login, '__Host-user');
      const response = await fetch(`${after.url}/s/user`, { headers: { cookie: `__Host-user=${oldToken}` } });
      expect(await response.json()).toEqual({ value: { userId: 'ada' } });
      const newToken = cookieValue(response, '__Host-user');
      expect(newToken).not.toBe(oldToken);
      expect(after.events).toContainEqual({ type: 'refreshed', session: 'user', reason: 'key_rotated' });
      const newestOnly = createEncryptTransformer(parseKeyRing('main', newKey, 'test'), 'user').unseal(newToken);
      expect(newestOnly).toMatchObject({ ok: true, stale: false });
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  });

  it('#17 a token under a key removed from the ring is no session, not a 500', async () => {
    const stranger = createEncryptTransformer(parseKeyRing('main', generateKey(), 'removed'), 'user');
    const response = await readUser(`__Host-user=${stranger.seal(`${NOW}.${NOW}.{"userId":"ada"}`)}`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ value: null });
  });
});

describe('signed sessions', () => {
  it('#13 signed over HTTP: round-trip readable but tamper-evident, any flipped bit is no session', async () => {
    const set = await fetch(`${server.url}/s/note`, { method: 'PUT', body: '{"text":"hello"}' });
    const token = cookieValue(set, 'note');
    const read = await fetch(`${server.url}/s/note`, { headers: { cookie: `note=${token}` } });
    expect(await read.json()).toEqual({ value: { text: 'hello' } });
    for (const bit of [0, 8, 40, 100, token.length * 6 - 20]) {
      const events = server.events.length;
      const response = await sendRaw(server.port, '/s/note', [`Cookie: note=${flipBit(token, bit)}`]);
      expect(JSON.parse(response.body)).toEqual({ value: null });
      expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'note', reason: expect.stringMatching(/^(tampered|malformed|unknown_key)$/), source: 'token' }]);
    }
  });

  it('#21 a valid token of another session is refused under this one', async () => {
    const set = await fetch(`${server.url}/s/note`, { method: 'PUT', body: '{"text":"hello"}' });
    const response = await readUser(`__Host-user=${cookieValue(set, 'note')}`);
    expect(JSON.parse(response.body)).toEqual({ value: null });
  });
});

describe('#22 sealed timestamps are parsed strictly', () => {
  const payload = '{"userId":"ada"}';
  const table: [label: string, createdAt: string | number, lastSeenAt: string | number, accepted: boolean][] = [
    ['current', NOW, NOW, true],
    ['within the 60 s skew in the future', NOW + 60, NOW + 60, true],
    ['created beyond the skew in the future', NOW + 61, NOW + 61, false],
    ['last seen beyond the skew in the future', NOW, NOW + 61, false],
    ['missing created-at', '', NOW, false],
    ['missing both', '', '', false],
    ['float', `${NOW}.5`, NOW, false],
    ['negative', -NOW, NOW, false],
    ['NaN', 'NaN', NOW, false],
    ['a string', 'yesterday', NOW, false],
    ['exponent', '1.7e9', NOW, false],
    ['leading zero', `0${NOW}`, NOW, false],
    ['leading plus', `+${NOW}`, NOW, false],
    ['whitespace', ` ${NOW}`, NOW, false],
    ['thirteen digits', '1'.repeat(13), NOW, false],
    ['last seen before created', NOW, NOW - 1, false],
  ];
  it.each(table)('#22 %s', async (_label, createdAt, lastSeenAt, accepted) => {
    const response = await sendRaw(server.port, '/s/profile', [`Cookie: profile=${forgeProfileToken(createdAt, lastSeenAt, payload)}`]);
    expect(JSON.parse(response.body)).toEqual({ value: accepted ? { userId: 'ada' } : null });
  });

  it('#22 an envelope with no timestamps at all never means "never expires"', async () => {
    const bare = Buffer.from(payload).toString('base64url');
    const response = await sendRaw(server.port, '/s/profile', [`Cookie: profile=${bare}`]);
    expect(JSON.parse(response.body)).toEqual({ value: null });
  });
});

describe('expiry by value, on a fake clock', () => {
  async function read(token: string): Promise<Response> {
    return fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=${token}` } });
  }

  it('#38 idle: rejected at idle after the last refresh; activity slides it', async () => {
    const clock = server.clock;
    clock.now = START;
    let token = forgeProfileToken(NOW, NOW, '{"userId":"ada"}');
    // Under a tenth of the idle window: no refresh, no Set-Cookie.
    clock.advance(59);
    expect((await read(token)).headers.getSetCookie()).toEqual([]);
    // A tenth or more: re-sealed with a new last-seen time.
    clock.advance(1);
    const refreshed = await read(token);
    expect(await refreshed.json()).toEqual({ value: { userId: 'ada' } });
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    token = cookieValue(refreshed, 'profile');
    clock.advance(599);
    expect(await (await read(token)).json()).toEqual({ value: { userId: 'ada' } });
    clock.now = START + (60 + 600) * 1000;
    const [events, ended] = [server.events.length, server.lifecycle.length];
    expect(await (await read(token)).json()).toEqual({ value: null });
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'profile', reason: 'expired', source: 'token' }]);
    expect(server.lifecycle.slice(ended)).toEqual([{ type: 'expired', session: 'profile' }]);
    clock.now = START;
  });

  it('#39 absolute: refreshes never extend maxAge, and Max-Age counts down', async () => {
    const clock = server.clock;
    clock.now = START;
    let token = forgeProfileToken(NOW, NOW, '{"userId":"ada"}');
    for (let elapsed = 500; elapsed < 3600; elapsed += 500) {
      clock.now = START + elapsed * 1000;
      const response = await read(token);
      expect(await response.json()).toEqual({ value: { userId: 'ada' } });
      expect(response.headers.getSetCookie()[0]).toContain(`; Max-Age=${3600 - elapsed};`);
      token = cookieValue(response, 'profile');
    }
    clock.now = START + 3600 * 1000;
    expect(await (await read(token)).json()).toEqual({ value: null });
    clock.now = START;
  });

  it('a set keeps the creation time of the session it replaces', async () => {
    server.clock.now = START + 3000 * 1000;
    const response = await fetch(`${server.url}/s/profile`, {
      method: 'PUT',
      body: '{"userId":"bob"}',
      headers: { cookie: `profile=${forgeProfileToken(NOW, NOW + 3000, '{"userId":"ada"}')}` },
    });
    expect(response.headers.getSetCookie()[0]).toContain('; Max-Age=600;');
    server.clock.now = START;
  });

  it('rolling: re-sent on every request that carries it', async () => {
    const login = await fetch(`${server.url}/s/user`, { method: 'PUT', body: '{"userId":"ada"}' });
    const cookie = `__Host-user=${cookieValue(login, '__Host-user')}`;
    const events = server.events.length;
    for (let step = 0; step < 3; step += 1) {
      const response = await fetch(`${server.url}/s/user`, { headers: { cookie } });
      expect(response.headers.getSetCookie()).toHaveLength(1);
    }
    expect(server.events.slice(events)).toEqual(Array(3).fill({ type: 'refreshed', session: 'user', reason: 'rolling' }));
  });
});

describe('#58 a cookie we accept can always be sent back', () => {
  /** A validly sealed user token of `length` characters or just under, its payload padded in userId. */
  function userTokenOf(length: number): string {
    let low = 1;
    let high = length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (sealUser.seal(`${NOW}.${NOW}.{"userId":"${'u'.repeat(mid)}"}`).length <= length) low = mid;
      else high = mid - 1;
    }
    return sealUser.seal(`${NOW}.${NOW}.{"userId":"${'u'.repeat(low)}"}`);
  }

  it('#58 a sealed token too long to re-send with its attributes is no session, its cookie expired, never a 500', async () => {
    // 4096 characters of cookie value alone: the rolling refresh would make a Set-Cookie line past 4096 bytes.
    const token = userTokenOf(4096);
    expect(token.length).toBeGreaterThan(4050);
    const events = server.events.length;
    const response = await readUser(`__Host-user=${token}`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ value: null });
    expect(response.headers.filter(([name]) => name === 'set-cookie').map(([, line]) => line)).toEqual([expect.stringMatching(/^__Host-user=; .*Max-Age=0/)]);
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'user', reason: 'too_large', source: 'token' }]);
  });

  it('#58 incoming and outgoing limits agree: the longest token set writes is read and re-sent within 4096 bytes; one longer is refused', async () => {
    const setUser = (length: number) => putJson(`${server.url}/s/user`, { userId: 'u'.repeat(length) });
    let [fits, tooLong] = [1, 4096];
    while (tooLong - fits > 1) {
      const mid = Math.floor((fits + tooLong) / 2);
      if ((await setUser(mid)).status === 204) fits = mid;
      else tooLong = mid;
    }
    const longest = cookieValue(await setUser(fits), '__Host-user');

    const refreshed = await readUser(`__Host-user=${longest}`);
    expect(JSON.parse(refreshed.body)).toEqual({ value: { userId: 'u'.repeat(fits) } });
    const [line] = refreshed.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value);
    expect(line).toMatch(/^__Host-user=[^;]+; /);
    expect(Buffer.byteLength(line!)).toBeLessThanOrEqual(4096);

    const oneLonger = sealUser.seal(`${NOW}.${NOW}.{"userId":"${'u'.repeat(tooLong)}"}`);
    expect(oneLonger.length).toBeGreaterThan(longest.length);
    const refused = await readUser(`__Host-user=${oneLonger}`);
    expect([refused.status, JSON.parse(refused.body)]).toEqual([200, { value: null }]);
  });
});
