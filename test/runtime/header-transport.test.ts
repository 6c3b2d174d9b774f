/** security.md #9 and #10: the header transport, and only configured transports being read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeProfileToken, putJson, sendRaw, startServer, START, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function newCart(): Promise<string> {
  const response = await putJson(`${server.url}/s/cart`, { items: [{ sku: 'apple', qty: 2 }] });
  expect(response.status).toBe(204);
  const id = response.headers.get('x-cart');
  expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return id!;
}

describe('A. header transport', () => {
  it('sends the id in a response header of the same name, never a Set-Cookie, and reads it back', async () => {
    const response = await putJson(`${server.url}/s/cart`, { items: [] });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('vary')).toBe('X-Cart');
    const id = response.headers.get('x-cart')!;
    const read = await fetch(`${server.url}/s/cart`, { headers: { 'x-cart': id } });
    expect(await read.json()).toEqual({ value: { items: [] } });
    expect(read.headers.get('x-cart')).toBeNull();
    expect(read.headers.get('vary')).toBe('X-Cart');
  });

  it('#9 duplicate headers (joined with ", "), a Bearer scheme, extra whitespace, two tokens, off-alphabet: no session, no Set-Cookie', async () => {
    const id = await newCart();
    const cases: string[][] = [
      [`X-Cart: ${id}`, `X-Cart: ${id}`],
      [`X-Cart: Bearer ${id}`],
      [`X-Cart: bearer ${id}`],
      [`X-Cart: ${id} ${id}`],
      [`X-Cart: ${id},${id}`],
      [`X-Cart: ${id.slice(0, 42)}+`],
      [`X-Cart: ${id.slice(0, 42)}=`],
    ];
    for (const lines of cases) {
      const response = await sendRaw(server.port, '/s/cart', lines);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ value: null });
      expect(response.headers.some(([name]) => name === 'set-cookie')).toBe(false);
      // The client is told to drop its token: the header, sent empty.
      expect(response.headers).toContainEqual(['x-cart', '']);
    }
  });

  it('#9 surrounding whitespace is trimmed by the HTTP parser, so the bare token still works', async () => {
    const id = await newCart();
    const response = await sendRaw(server.port, '/s/cart', [`X-Cart:   ${id}  `]);
    expect(JSON.parse(response.body)).toEqual({ value: { items: [{ sku: 'apple', qty: 2 }] } });
  });

  it('#9 a header over 8 KB is refused before any work, and a 64 KB one gets Node\'s 431', async () => {
    const reads = server.storage.calls.length;
    const events = server.events.length;
    const oversized = await sendRaw(server.port, '/s/cart', [`X-Cart: ${'A'.repeat(9000)}`]);
    expect(JSON.parse(oversized.body)).toEqual({ value: null });
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'cart', reason: 'too_large', source: 'token' }]);
    expect(server.storage.calls.length).toBe(reads);
    expect((await sendRaw(server.port, '/s/cart', [`X-Cart: ${'A'.repeat(64 * 1024)}`])).status).toBe(431);
  });

  it('#10 a header token sent as a cookie, or in the query string, is ignored', async () => {
    const id = await newCart();
    const reads = server.storage.calls.length;
    for (const request of [
      fetch(`${server.url}/s/cart`, { headers: { cookie: `X-Cart=${id}; cart=${id}` } }),
      fetch(`${server.url}/s/cart?X-Cart=${id}&sid=${id}`),
    ]) {
      const response = await request;
      expect(await response.json()).toEqual({ value: null });
    }
    expect(server.storage.calls.length).toBe(reads);
  });

  it('#10 a cookie token sent in a header is ignored', async () => {
    const token = forgeProfileToken(START / 1000, START / 1000, '{"userId":"ada"}');
    const response = await fetch(`${server.url}/s/profile`, { headers: { profile: token, authorization: `Bearer ${token}` } });
    expect(await response.json()).toEqual({ value: null });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
