/**
 * A payload from `get` is the session's state, changed only through `set` or `update`: `items.push(x)` on it
 * would be lost. Outside production it is frozen, so the mistake throws in the handler; `update` edits a copy
 * and writes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putJson, startServer, type TestRoutes, type TestServer } from './server.js';

/** The routes of both servers: change the cart in place, or through update. */
const cartRoutes: TestRoutes = async (ctx, next, sessions) => {
  const failure = (error: unknown) => ({ error: (error as Error).name, message: (error as Error).message });
  switch (ctx.path) {
    case '/cart/in-place':
      try {
        // What the types forbid, as plain JavaScript does it.
        (sessions.get('cart') as { items: unknown[] }).items.push({ sku: 'b', qty: 1 });
        ctx.body = { error: null };
      } catch (error) {
        ctx.body = failure(error);
      }
      return;
    case '/cart/update':
      try {
        sessions.update('cart', (cart) => {
          cart.items.push({ sku: 'b', qty: 1 });
        });
        ctx.body = { error: null };
      } catch (error) {
        ctx.body = failure(error);
      }
      return;
    case '/cart/set-then-change':
      try {
        const cart = { items: [{ sku: 'a', qty: 1 }] };
        sessions.set('cart', cart);
        cart.items.push({ sku: 'b', qty: 1 });
        ctx.body = { error: null };
      } catch (error) {
        ctx.body = failure(error);
      }
      return;
    case '/cart/replace':
      sessions.update('cart', (cart) => ({ items: cart.items.filter((item) => item.sku !== 'a') }));
      ctx.status = 204;
      return;
    default:
      return next();
  }
};

let development: TestServer;
let production: TestServer;
beforeAll(async () => {
  development = await startServer({ routes: cartRoutes });
  production = await startServer({ routes: cartRoutes, install: { env: { NODE_ENV: 'production' } } });
});
afterAll(async () => {
  await development.close();
  await production.close();
});

/** A cart holding one item `a`, and the header that carries it. */
async function cartOn(server: TestServer): Promise<Record<string, string>> {
  const created = await putJson(`${server.url}/s/cart`, { items: [{ sku: 'a', qty: 2 }] });
  return { 'x-cart': created.headers.get('x-cart')! };
}

async function readCart(server: TestServer, headers: Record<string, string>): Promise<unknown> {
  return ((await (await fetch(`${server.url}/s/cart`, { headers })).json()) as { value: unknown }).value;
}

describe('payloads from get are read-only', () => {
  it('outside production, a change in place throws a TypeError in the handler, and nothing is written', async () => {
    const headers = await cartOn(development);
    const answer = (await (await fetch(`${development.url}/cart/in-place`, { headers })).json()) as { error: string; message: string };
    expect(answer.error).toBe('TypeError');
    expect(answer.message).toMatch(/not extensible|read.only|frozen/);
    expect(await readCart(development, headers)).toEqual({ items: [{ sku: 'a', qty: 2 }] });
  });

  it('outside production, a change to a payload after set (which sealed it already) throws too, and what set sealed is written', async () => {
    const response = await fetch(`${development.url}/cart/set-then-change`);
    expect(await response.json()).toMatchObject({ error: 'TypeError' });
    expect(await readCart(development, { 'x-cart': response.headers.get('x-cart')! })).toEqual({ items: [{ sku: 'a', qty: 1 }] });
  });

  it('in production nothing is frozen (no cost per read), and the change in place is still not written', async () => {
    const headers = await cartOn(production);
    expect(await (await fetch(`${production.url}/cart/in-place`, { headers })).json()).toEqual({ error: null });
    expect(await readCart(production, headers)).toEqual({ items: [{ sku: 'a', qty: 2 }] });
  });

  it('update edits a copy in place and writes it', async () => {
    for (const server of [development, production]) {
      const headers = await cartOn(server);
      expect(await (await fetch(`${server.url}/cart/update`, { headers })).json()).toEqual({ error: null });
      expect(await readCart(server, headers)).toEqual({ items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }] });
    }
  });

  it('update writes what the recipe returns, when it returns a new payload', async () => {
    const headers = await cartOn(development);
    expect((await fetch(`${development.url}/cart/replace`, { headers })).status).toBe(204);
    expect(await readCart(development, headers)).toEqual({ items: [] });
  });

  it('update without a session is a SessionUsageError that says to use set or getOrSet', async () => {
    const answer = await (await fetch(`${development.url}/cart/update`)).json();
    expect(answer).toEqual({
      error: 'SessionUsageError',
      message: 'session "cart" has no payload to update in this request; create it with set() or getOrSet()',
    });
  });
});
