/**
 * `expiry.touchAfter` over HTTP, on the fake clock (security.md #38, #51): activity slides the idle window at
 * most once per `touchAfter`, so requests inside it re-send no cookie (by value) and slide no storage TTL
 * (by id), and a session dies exactly `idle` after its last slide, whatever came in between. The Redis
 * storage's write count is held in test/storage/redis-http.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeyForId } from '../../runtime/ids.js';
import { HOUR, ProfileSessionProvider, VisitSessionProvider, specOf } from './fixtures.js';
import { cookiePairs, cookieValue, putJson, startServer, START, type TestServer } from './server.js';

const IDLE = 600;
const TOUCH_AFTER = 120;
const expiry = { maxAge: HOUR, idle: IDLE, touchAfter: TOUCH_AFTER, rolling: false };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    spec: specOf([
      { ...ProfileSessionProvider.definition, expiry },
      { ...VisitSessionProvider.definition, expiry },
    ]),
  });
});
afterAll(() => server.close());

/** Moves the fake clock to `seconds` after START. */
function at(seconds: number): void {
  server.clock.now = START + seconds * 1000;
}

/** A read-only request with `cookie`: the value, the cookies sent back, the events and the storage calls it caused. */
async function read(path: string, cookie: string) {
  const events = server.events.length;
  const calls = server.storage.calls.length;
  const response = await fetch(`${server.url}${path}`, { headers: { cookie } });
  const { value } = (await response.json()) as { value: unknown };
  return { value, sent: cookiePairs(response), events: server.events.slice(events), calls: server.storage.calls.slice(calls) };
}

describe('#38 touchAfter: activity is recorded at most once per interval', () => {
  it('#38 by value: no Set-Cookie inside touchAfter of the last slide; the first request after it re-seals; each token dies exactly idle after the slide sealed in it', async () => {
    at(0);
    const created = `profile=${cookieValue(await putJson(`${server.url}/s/profile`, { userId: 'ada' }), 'profile')}`;
    for (const elapsed of [60, TOUCH_AFTER - 1]) {
      at(elapsed);
      expect(await read('/s/profile', created)).toMatchObject({ value: { userId: 'ada' }, sent: [], events: [] });
    }
    at(TOUCH_AFTER);
    const slide = await read('/s/profile', created);
    expect(slide).toMatchObject({ sent: [expect.stringMatching(/^profile=./)], events: [{ type: 'refreshed', session: 'profile', reason: 'idle' }] });
    const slid = slide.sent[0]!;
    for (const elapsed of [200, 2 * TOUCH_AFTER - 1]) {
      at(elapsed);
      expect(await read('/s/profile', slid)).toMatchObject({ sent: [], events: [] });
    }
    // The requests at 60 and 119 s were not recorded: the first token still dies idle after its creation.
    at(IDLE - 1);
    expect((await read('/s/profile', created)).value).toEqual({ userId: 'ada' });
    at(IDLE);
    expect((await read('/s/profile', created)).value).toBeNull();
    // Nor were those at 200 and 239 s: the slid token dies idle after the slide, not after them.
    at(TOUCH_AFTER + IDLE - 1);
    expect((await read('/s/profile', slid)).value).toEqual({ userId: 'ada' });
    at(TOUCH_AFTER + IDLE);
    expect((await read('/s/profile', slid)).value).toBeNull();
  });

  it('#38 #51 by id: reads inside touchAfter of the last write leave the TTL where it was, with no write and no Set-Cookie', async () => {
    at(0);
    const id = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    const key = storageKeyForId('visit', id);
    for (const elapsed of [60, TOUCH_AFTER - 1]) {
      at(elapsed);
      expect(await read('/s/visit', `vid=${id}`)).toEqual({ value: { count: 1 }, sent: [], events: [], calls: [['read', key, IDLE, TOUCH_AFTER]] });
    }
    // Neither read slid: the entry dies idle after the write.
    server.clock.now = START + IDLE * 1000 - 1;
    expect(await server.storage.inner.read(key)).toBeDefined();
    at(IDLE);
    expect(await server.storage.inner.read(key)).toBeUndefined();
  });

  it('#38 #51 by id: the first read past touchAfter slides, later reads inside the interval do not, and the session dies exactly idle after that slide', async () => {
    at(0);
    const id = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    const key = storageKeyForId('visit', id);
    for (const elapsed of [60, TOUCH_AFTER, 200, 2 * TOUCH_AFTER - 1]) {
      at(elapsed);
      expect(await read('/s/visit', `vid=${id}`)).toMatchObject({ value: { count: 1 }, sent: [], calls: [['read', key, IDLE, TOUCH_AFTER]] });
    }
    server.clock.now = START + (TOUCH_AFTER + IDLE) * 1000 - 1;
    expect(await server.storage.inner.read(key)).toBeDefined();
    at(TOUCH_AFTER + IDLE);
    expect((await read('/s/visit', `vid=${id}`)).value).toBeNull();
  });
});

describe('#38 touchAfter: 0, and the default', () => {
  const everyRequest = { ...expiry, touchAfter: 0 };
  let eager: TestServer;
  beforeAll(async () => {
    eager = await startServer({
      spec: specOf([
        { ...ProfileSessionProvider.definition, expiry: everyRequest },
        { ...VisitSessionProvider.definition, expiry: everyRequest },
      ]),
    });
  });
  afterAll(() => eager.close());

  it('#38 touchAfter: 0 records every request, as before touchAfter existed: a cookie re-sealed one second on, a storage TTL slid', async () => {
    eager.clock.now = START;
    const profile = cookieValue(await putJson(`${eager.url}/s/profile`, { userId: 'ada' }), 'profile');
    const id = cookieValue(await putJson(`${eager.url}/s/visit`, { count: 1 }), 'vid');
    eager.clock.advance(1);
    const resealed = await fetch(`${eager.url}/s/profile`, { headers: { cookie: `profile=${profile}` } });
    expect(cookiePairs(resealed)).toEqual([expect.stringMatching(/^profile=./)]);
    await fetch(`${eager.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
    eager.clock.now = START + IDLE * 1000;
    expect(await eager.storage.inner.read(storageKeyForId('visit', id))).toBeDefined();
  });

  it.each([
    ['a tenth of idle', { maxAge: HOUR, idle: IDLE, rolling: false }, IDLE / 10],
    ['a tenth of idle, rounded down to whole seconds', { maxAge: HOUR, idle: 45, rolling: false }, 4],
    ['at most an hour', { maxAge: 3 * 7 * 24 * HOUR, idle: 2 * 7 * 24 * HOUR, rolling: false }, HOUR],
    ['0 with rolling, which records every request', { maxAge: HOUR, idle: IDLE, rolling: true }, 0],
  ])('#38 left out, touchAfter is %s', async (_label, defaulted, touchAfter) => {
    const app = await startServer({ spec: specOf([{ ...VisitSessionProvider.definition, expiry: defaulted }]) });
    try {
      const id = cookieValue(await putJson(`${app.url}/s/visit`, { count: 1 }), 'vid');
      const mark = app.storage.calls.length;
      await fetch(`${app.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
      expect(app.storage.calls.slice(mark)).toEqual([['read', storageKeyForId('visit', id), defaulted.idle, touchAfter]]);
    } finally {
      await app.close();
    }
  });
});
