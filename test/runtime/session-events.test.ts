/**
 * A session's lifecycle events over HTTP, on the fake clock: `created`, `destroyed`, `expired` and
 * `regenerated` (README "Events"), by value and by id, each once the response carries what it reports, none
 * when a commit fails, and never a token or an id in any of them (security.md #42).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from 'typed-sessions';
import { storageKeyForId } from '../../runtime/ids.js';
import type { TestSessions } from './fixtures.js';
import { cookiePairs, cookieValue, forgeProfileToken, putJson, startServer, START, type TestServer } from './server.js';

const NOW = START / 1000;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    routes: async (ctx, next) => {
      const sessions = ctx.sessions as unknown as TestSessions;
      switch (ctx.path) {
        case '/visit/login':
          sessions.clear('visit');
          sessions.set('visit', { count: 100 });
          break;
        case '/visit/create-and-regenerate':
          sessions.set('visit', { count: 1 });
          sessions.regenerate('visit');
          break;
        case '/visit/set-after-lifetime':
          // The session's absolute lifetime runs out while the handler runs.
          server.clock.advance(3600);
          sessions.set('visit', { count: 99 });
          break;
        case '/note/set-then-throw':
          sessions.set('note', { text: 'never written' });
          ctx.throw(400, 'bad request');
          break;
        default:
          return next();
      }
      ctx.status = 204;
    },
  });
});
afterAll(() => server.close());

/** Every token or id the server handed out: no event may hold one. */
const handedOut: string[] = [];

/** Sends the request and returns the events it caused; remembers each token or id the response set. */
async function eventsOf(request: Promise<Response>): Promise<SessionEvent[]> {
  const mark = server.events.length;
  const response = await request;
  await response.arrayBuffer();
  for (const pair of cookiePairs(response)) handedOut.push(pair.slice(pair.indexOf('=') + 1));
  const cart = response.headers.get('x-cart');
  if (cart !== null) handedOut.push(cart);
  return server.events.slice(mark);
}

async function newSession(name: 'note' | 'visit', body: object): Promise<string> {
  const response = await putJson(`${server.url}/s/${name}`, body);
  const token = cookieValue(response, name === 'note' ? 'note' : 'vid');
  handedOut.push(token);
  return token;
}

const get = (path: string, cookie: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { cookie } });

describe('lifecycle events', () => {
  it('created on a first set, by value and by id (cookie and header); an update of a carried session is none; no log line', async () => {
    const warnings = server.warnings.length;
    expect(await eventsOf(putJson(`${server.url}/s/note`, { text: 'hi' }))).toEqual([{ type: 'created', session: 'note' }]);
    expect(await eventsOf(putJson(`${server.url}/s/visit`, { count: 1 }))).toEqual([{ type: 'created', session: 'visit' }]);
    expect(await eventsOf(putJson(`${server.url}/s/cart`, { items: [] }))).toEqual([{ type: 'created', session: 'cart' }]);
    const note = await newSession('note', { text: 'a' });
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(putJson(`${server.url}/s/note`, { text: 'b' }, { cookie: `note=${note}` }))).toEqual([]);
    expect(await eventsOf(putJson(`${server.url}/s/visit`, { count: 2 }, { cookie: `vid=${id}` }))).toEqual([]);
    expect(server.warnings.slice(warnings)).toEqual([]);
  });

  it('an expired token followed by a set: expired, then created', async () => {
    const expired = `profile=${forgeProfileToken(NOW - 7200, NOW - 7200, '{"userId":"ada"}')}`;
    expect(await eventsOf(putJson(`${server.url}/s/profile`, { userId: 'ada' }, { cookie: expired }))).toEqual([
      { type: 'expired', session: 'profile' },
      { type: 'created', session: 'profile' },
    ]);
  });

  it('destroyed on clear of a carried session, by value and by id; a clear with no session ends nothing', async () => {
    const note = await newSession('note', { text: 'a' });
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(get('/s/note', `note=${note}`, { method: 'DELETE' }))).toEqual([{ type: 'destroyed', session: 'note' }]);
    expect(await eventsOf(get('/s/visit', `vid=${id}`, { method: 'DELETE' }))).toEqual([{ type: 'destroyed', session: 'visit' }]);
    expect(await eventsOf(fetch(`${server.url}/s/visit`, { method: 'DELETE' }))).toEqual([]);
  });

  it('a login (clear, then set) over a carried session: destroyed, then created', async () => {
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(get('/visit/login', `vid=${id}`, { method: 'POST' }))).toEqual([
      { type: 'destroyed', session: 'visit' },
      { type: 'created', session: 'visit' },
    ]);
  });

  it('regenerated on regenerate of a carried session; a session set and regenerated in one request is only created', async () => {
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(get('/s/visit/regenerate', `vid=${id}`, { method: 'POST' }))).toEqual([{ type: 'regenerated', session: 'visit' }]);
    expect(await eventsOf(fetch(`${server.url}/visit/create-and-regenerate`, { method: 'POST' }))).toEqual([{ type: 'created', session: 'visit' }]);
  });

  it('expired when noticed: a token past idle, a stored envelope past maxAge, and a lifetime that runs out during the request', async () => {
    const stale = `profile=${forgeProfileToken(NOW - 700, NOW - 700, '{"userId":"ada"}')}`;
    expect(await eventsOf(get('/s/profile', stale))).toEqual([{ type: 'expired', session: 'profile' }]);

    const kept = await newSession('visit', { count: 1 });
    await server.storage.inner.write(storageKeyForId('visit', kept), `${NOW - 3600}.${NOW - 3600}.{"count":1}`, 60);
    expect(await eventsOf(get('/s/visit', `vid=${kept}`))).toEqual([{ type: 'expired', session: 'visit' }]);

    const outlived = await newSession('visit', { count: 1 });
    try {
      expect(await eventsOf(get('/visit/set-after-lifetime', `vid=${outlived}`))).toEqual([{ type: 'expired', session: 'visit' }]);
    } finally {
      server.clock.now = START;
    }
  });

  it('none when the commit fails: the handler threw, or the storage refused the write (503)', async () => {
    expect(await eventsOf(fetch(`${server.url}/note/set-then-throw`))).toEqual([]);
    server.storage.mode = 'reject';
    server.storage.faultOn = new Set(['write']);
    try {
      const events = await eventsOf(putJson(`${server.url}/s/visit`, { count: 1 }));
      expect(events.map((event) => event.type)).toEqual(['store_unavailable']);
    } finally {
      server.storage.mode = 'ok';
      server.storage.faultOn = undefined;
    }
  });

  // Last: it scans what every case above handed out.
  it('#42 no event of any case holds a token or an id the server handed out, whole or a 16-character part', () => {
    const logged = JSON.stringify(server.events);
    expect(handedOut.length).toBeGreaterThan(10);
    for (const token of handedOut.filter((value) => value !== '')) {
      expect(logged).not.toContain(token.slice(0, 16));
      expect(logged).not.toContain(token.slice(-16));
    }
  });
});
