/**
 * Ktor interop over HTTP against a real Koa server: cookies and headers a Ktor service issues are read, what
 * this library writes is what Ktor writes (checked with node's crypto, independently of the runtime), by-id
 * sessions use Ktor's hex ids and plain stored text, and `migrateFrom` moves users onto the native sealed
 * format in the same response.
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import { generateKey } from 'typed-sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePairs, startServer, type TestServer } from '../server.js';
import { KTOR_KEYS, ktorSpec } from './ktor-fixtures.js';
import vectors from './ktor-vectors.json' with { type: 'json' };

const encrypted = vectors.encrypt_3x[0]!;
const hmac = vectors.hmac[0]!;
const hmacKey = Buffer.from(KTOR_KEYS.kmac, 'hex');

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ spec: ktorSpec, install: { keys: { main: generateKey(), ...KTOR_KEYS } } });
});
afterAll(() => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers });
}

function put(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** `Set-Cookie` lines by cookie name. */
function setCookies(response: Response): Map<string, string> {
  return new Map(response.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line]));
}

function ktorHmac(value: string): string {
  return createHmac('sha256', hmacKey).update(value, 'utf8').digest('hex');
}

describe('migrateFrom: a Ktor cookie becomes a native session in the same response', () => {
  it("reads the cookie of Ktor's own encrypt test, re-issues it sealed, and expires the Ktor cookie", async () => {
    const response = await get('/s/account', { cookie: `USER_SESSION=${encrypted.cookieValue}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: encrypted.payload });
    const lines = setCookies(response);
    expect(lines.get('USER_SESSION')).toMatch(/^USER_SESSION=; Path=\/; Max-Age=0; /);
    const account = lines.get('ACCOUNT')!;
    expect(account).toMatch(/^ACCOUNT=[A-Za-z0-9_-]+; Path=\/; Max-Age=3600; /);
    expect(server.events).toContainEqual({ type: 'migrated', session: 'account', from: 'ktor', keptSource: false });

    // The native cookie alone now carries the session; no further migration, no Ktor cookie touched.
    const next = await get('/s/account', { cookie: account.split(';')[0]! });
    expect(await next.json()).toEqual({ value: encrypted.payload });
    expect(setCookies(next).has('USER_SESSION')).toBe(false);
  });

  it('does not migrate when the native session is already there', async () => {
    const first = await get('/s/account', { cookie: `USER_SESSION=${encrypted.cookieValue}` });
    const account = setCookies(first).get('ACCOUNT')!.split(';')[0]!;
    const both = await get('/s/ktor', { cookie: `${account}; USER_SESSION=${encrypted.cookieValue}` });
    expect(await both.json()).toEqual({ value: encrypted.payload });
    expect(both.headers.getSetCookie()).toEqual([]);
  });

  it('keeps the Ktor cookie when the spec says keepSource, and the handler sees both', async () => {
    const text = 'cart=%23cl%23sa%252520b&userId=%23sid+2';
    const cookie = `LEGACY=${encodeURIComponent(`${text}/${ktorHmac(text)}`)}`;
    const response = await get('/s/legacy', { cookie });
    expect(await response.json()).toEqual({ value: { userId: 'id 2', cart: ['a b'] } });
    const lines = setCookies(response);
    expect(lines.has('LEGACY')).toBe(false);
    expect(lines.get('MIRROR')).toMatch(/^MIRROR=[A-Za-z0-9_-]+; /);
    expect(server.events).toContainEqual({ type: 'migrated', session: 'mirror', from: 'legacy', keptSource: true });
  });

  it('a Ktor session too large to re-issue natively stays the Ktor session, and migration_failed says why', async () => {
    // Near the cookie limit as Ktor's reflection text, past it as this library's signed JSON envelope.
    const text = `cart=%23cl&userId=%23s${'a'.repeat(3000)}`;
    const before = server.events.length;
    const response = await get('/s/legacy', { cookie: `LEGACY=${encodeURIComponent(`${text}/${ktorHmac(text)}`)}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: { userId: 'a'.repeat(3000), cart: [] } });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(server.events.slice(before)).toEqual([{ type: 'migration_failed', session: 'mirror', from: 'legacy', error: 'SESSION_TOO_LARGE' }]);
  });

  it('a Ktor cookie that fails its MAC is no session: nothing migrated, the cookie expired, never a 500', async () => {
    const [iv, rest] = encrypted.cookieValue.split('%2F') as [string, string];
    const forged = `${iv}%2F${rest.slice(0, -1)}${rest.endsWith('0') ? '1' : '0'}`;
    const response = await get('/s/account', { cookie: `USER_SESSION=${forged}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect([...setCookies(response).keys()]).toEqual(['USER_SESSION']);
    expect(setCookies(response).get('USER_SESSION')).toContain('Max-Age=0');
  });
});

describe('#57 a forged first block and migration', () => {
  /** Ktor's own encrypt token with its IV changed so the first plaintext block reads `prefix` (CBC: P1 = D(C1) xor IV). */
  function ivFlipped(prefix: string): string {
    const [ivHex, rest] = encrypted.token.split('/') as [string, string];
    const iv = Buffer.from(ivHex, 'hex');
    const [was, wanted] = [Buffer.from(encrypted.plaintext), Buffer.from(prefix)];
    for (let index = 0; index < wanted.length; index += 1) iv[index]! ^= was[index]! ^ wanted[index]!;
    return encodeURIComponent(`${iv.toString('hex')}/${rest}`);
  }

  it('#57 with trustUnauthenticatedIv, an IV-flipped Ktor 3.x encrypt cookie is promoted as forged: the risk that opt-in accepts', async () => {
    const response = await get('/s/account', { cookie: `USER_SESSION=${ivFlipped('{"userId":"adm"')}` });
    expect(await response.json()).toEqual({ value: { userId: 'adm', cart: [] } });
    expect(setCookies(response).get('ACCOUNT')).toMatch(/^ACCOUNT=[A-Za-z0-9_-]+; /);
  });

  it('#57 from a ktor-sign session, a cookie with its first bytes changed is refused and never promoted', async () => {
    const text = 'cart=%23cl&userId=%23sid2';
    const forged = `${text.replace('id2', 'adm')}/${ktorHmac(text)}`;
    const before = server.events.length;
    const response = await get('/s/mirror', { cookie: `LEGACY=${encodeURIComponent(forged)}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect([...setCookies(response).keys()]).toEqual(['LEGACY']);
    expect(setCookies(response).get('LEGACY')).toContain('Max-Age=0');
    expect(server.events.slice(before).filter((event) => event.type === 'migrated')).toEqual([]);

    // The same cookie unchanged is read and migrated: the refusal is the forgery's, not the route's.
    const genuine = await get('/s/mirror', { cookie: `LEGACY=${encodeURIComponent(`${text}/${ktorHmac(text)}`)}` });
    expect(await genuine.json()).toEqual({ value: { userId: 'id2', cart: [] } });
  });
});

describe('writing Ktor-format sessions', () => {
  it('ktor-encrypt: the cookie is Ktor 3.x token, URI-encoded, that Ktor decrypts to kotlinx JSON', async () => {
    const response = await put('/s/ktor', { cart: ['x y'], userId: 'ü1' });
    expect(response.status).toBe(204);
    const value = cookiePairs(response).find((pair) => pair.startsWith('USER_SESSION='))!.slice('USER_SESSION='.length);
    expect(value).toMatch(/^[0-9a-f]{32}%2F[0-9a-f]+%3A[0-9a-f]{64}$/);
    const [ivHex, ctHex, tagHex] = decodeURIComponent(value).split(/[/:]/) as [string, string, string];
    const ciphertext = Buffer.from(ctHex, 'hex');
    expect(tagHex).toBe(createHmac('sha256', hmacKey).update(ciphertext).digest('hex'));
    const decipher = createDecipheriv('aes-128-cbc', Buffer.from(KTOR_KEYS.kaes, 'hex'), Buffer.from(ivHex, 'hex'));
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    // Declaration order, as kotlinx writes it, whatever order the app's object had.
    expect(plaintext).toBe('{"userId":"ü1","cart":["x y"]}');
  });

  it('header transport: the raw token, byte for byte the hmac vector, read back from the header', async () => {
    const written = await put('/s/kheader', { userId: 'id 2', cart: [] });
    expect(written.headers.get('x-ktor')).toBe(hmac.token);
    expect(written.headers.getSetCookie()).toEqual([]);
    const read = await get('/s/kheader', { 'x-ktor': hmac.token });
    expect(await read.json()).toEqual({ value: { userId: 'id 2', cart: [] } });
  });

  it('by id: a 64-hex Ktor id signed in the cookie, the plain kotlinx JSON stored under the raw id with the idle TTL', async () => {
    server.storage.calls.length = 0;
    const written = await put('/s/kid', { userId: 'u1', cart: [] });
    const value = decodeURIComponent(cookiePairs(written).find((pair) => pair.startsWith('KID='))!.slice(4));
    const [id, mac] = value.split('/') as [string, string];
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(mac).toBe(ktorHmac(id));
    const write = server.storage.calls.find((call) => call[0] === 'write')!;
    expect(write.slice(1, 4)).toEqual([id, '{"userId":"u1","cart":[]}', 600]);

    const read = await get('/s/kid', { cookie: `KID=${encodeURIComponent(value)}` });
    expect(await read.json()).toEqual({ value: { userId: 'u1', cart: [] } });
  });

  it("by id: a write under the id the client holds re-sends the cookie, whose Max-Age counts from the write, as Ktor's does", async () => {
    const written = await put('/s/kid', { userId: 'u1', cart: [] });
    const cookie = cookiePairs(written).find((pair) => pair.startsWith('KID='))!;
    const again = await put('/s/kid', { userId: 'u1', cart: ['b'] }, { cookie });
    expect(again.status).toBe(204);
    expect(cookiePairs(again)).toEqual([cookie]);
  });

  it('by id: an id a Ktor service stored (32 hex, its older length) is read; a malformed one never reaches the storage', async () => {
    const id = '0123456789abcdef0123456789abcdef';
    await server.storage.inner.write(id, '{"userId":"from-ktor","cart":["a"]}', 600);
    const read = await get('/s/kid', { cookie: `KID=${encodeURIComponent(`${id}/${ktorHmac(id)}`)}` });
    expect(await read.json()).toEqual({ value: { userId: 'from-ktor', cart: ['a'] } });

    server.storage.calls.length = 0;
    const path = '../../etc/passwd';
    const refused = await get('/s/kid', { cookie: `KID=${encodeURIComponent(`${path}/${ktorHmac(path)}`)}` });
    expect(await refused.json()).toEqual({ value: null });
    expect(server.storage.calls).toEqual([]);
  });

  it('ktor-reflection: a value Ktor would split apart is refused at set, with the path', async () => {
    const response = await put('/s/legacy', { userId: 'u', cart: ['x&y'] });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ name: 'SessionValidationError', message: expect.stringContaining('payload /cart/0 would contain "&"') });
  });
});

describe('#63 ktor-json: one rule for keys', () => {
  const khmacKey = Buffer.from(KTOR_KEYS.khmac, 'hex');
  const signed = (json: string) => `${json}/${createHmac('sha256', khmacKey).update(json, 'utf8').digest('hex')}`;

  it('#63 a validly signed payload that repeats a property name is no session, never the last value', async () => {
    const honest = await get('/s/kheader', { 'x-ktor': signed('{"userId":"alice","cart":[]}') });
    expect(await honest.json()).toEqual({ value: { userId: 'alice', cart: [] } });
    const events = server.events.length;
    const repeated = await get('/s/kheader', { 'x-ktor': signed('{"userId":"alice","cart":[],"userId":"admin"}') });
    expect(repeated.status).toBe(200);
    expect(await repeated.json()).toEqual({ value: null });
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'kheader', reason: 'malformed', source: 'token' }]);
  });
});
