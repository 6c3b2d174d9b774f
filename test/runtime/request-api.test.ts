/** The request API on ctx.sessions: getOrSet, the commit boundary, misuse, and what a failed handler leaves behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStateError, SessionUsageError } from 'typed-sessions';
import { cookieValue, putJson, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    routes: async (ctx, next, sessions) => {
      switch (ctx.path) {
        case '/set-then-fail':
          sessions.set('visit', { count: 1 });
          sessions.set('profile', { userId: 'ada' });
          throw new Error('handler failed');
        case '/relogin':
          sessions.clear('visit');
          sessions.set('visit', { count: 2 });
          ctx.status = 204;
          return;
        default:
          return next();
      }
    },
  });
});
afterAll(() => server.close());

describe('request API', () => {
  it('getOrSet creates and sets once, then returns what is there', async () => {
    const created = await fetch(`${server.url}/s/profile/or-set`, { method: 'POST', body: '{"userId":"ada"}' });
    expect(await created.json()).toEqual({ value: { userId: 'ada' } });
    const cookie = `profile=${cookieValue(created, 'profile')}`;
    const existing = await fetch(`${server.url}/s/profile/or-set`, { method: 'POST', body: '{"userId":"bob"}', headers: { cookie } });
    expect(await existing.json()).toEqual({ value: { userId: 'ada' } });
    expect(existing.headers.getSetCookie()).toEqual([]);
  });

  it('set, clear and regenerate after the response was committed throw SessionStateError; get still reads', async () => {
    await putJson(`${server.url}/s/profile`, { userId: 'ada' });
    const sessions = server.seen.at(-1)!;
    expect(sessions.get('profile')).toEqual({ userId: 'ada' });
    expect(() => sessions.set('profile', { userId: 'eve' })).toThrow(SessionStateError);
    expect(() => sessions.set('profile', { userId: 'eve' })).toThrow(
      'session "profile" changed after the response was committed; change sessions before the middleware chain finishes (await async work in the handler)',
    );
    expect(() => sessions.clear('profile')).toThrow(SessionStateError);
    expect(() => sessions.regenerate('visit')).toThrow(SessionStateError);
  });

  it('a name the spec does not declare, or regenerate on a session by value, is a SessionUsageError', async () => {
    await fetch(`${server.url}/plain`);
    const sessions = server.seen.at(-1)!;
    expect(() => sessions.get('nope' as 'profile')).toThrow(SessionUsageError);
    expect(() => sessions.get('nope' as 'profile')).toThrow('no session named "nope"; sessions.yaml declares profile, visit, cart, user, note, scratch');
    expect(() => sessions.regenerate('profile' as 'visit')).toThrow(/session "profile" travels by value; regenerate\(\) is for sessions tracked by id/);
  });

  it('regenerate without a session does nothing', async () => {
    const response = await fetch(`${server.url}/s/visit/regenerate`, { method: 'POST' });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('when the handler throws, nothing it set is written: no store write, no Set-Cookie', async () => {
    const mark = server.storage.calls.length;
    const response = await fetch(`${server.url}/set-then-fail`);
    expect(response.status).toBe(500);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(server.storage.calls.length).toBe(mark);
    expect(() => server.seen.at(-1)!.set('profile', { userId: 'late' })).toThrow(SessionStateError);
  });

  it('a set after a clear in the same request starts a new session under a new id; the old entry is deleted', async () => {
    const id = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    const mark = server.storage.calls.length;
    const response = await fetch(`${server.url}/relogin`, { headers: { cookie: `vid=${id}` } });
    const fresh = cookieValue(response, 'vid');
    expect(fresh).not.toBe(id);
    expect(server.storage.calls.slice(mark).map(([operation]) => operation)).toEqual(['read', 'write', 'invalidate']);
    expect(await (await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${fresh}` } })).json()).toEqual({ value: { count: 2 } });
  });
});
