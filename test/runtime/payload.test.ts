/** security.md #28-#34: decoding and the JSON Schema layer, on read (forged insecure envelopes) and on write. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionDefinition } from 'typed-sessions/core';
import { CartSessionProvider } from '../../generated/index.js';
import { storageKeyForId } from '../../runtime/ids.js';
import { MAX_PAYLOAD_DEPTH } from '../../runtime/serializer/json.js';
import { payloadValidator } from '../../runtime/validation.js';
import { VisitSessionProvider, specWith } from './fixtures.js';
import { cookieValue, forgeProfileToken, putJson, startServer, START, type TestServer } from './server.js';

/** Values the handler at `/unsafe/:case` sets as `scratch.data`: things JSON cannot hold faithfully. */
const cycle: Record<string, unknown> = { a: 1 };
cycle.self = cycle;
class Point {
  x = 1;
}
const UNSAFE: Record<string, [value: () => unknown, path: string, detail: RegExp]> = {
  date: [() => ({ when: new Date(0) }), '/data/when', /is a Date; store date\.toISOString\(\)/],
  bigint: [() => [1n], '/data/0', /is a BigInt/],
  map: [() => new Map([['a', 1]]), '/data', /is a Map/],
  set: [() => ({ tags: new Set(['a']) }), '/data/tags', /is a Set/],
  instance: [() => new Point(), '/data', /is a Point/],
  function: [() => ({ run: () => 1 }), '/data/run', /is a function/],
  symbol: [() => ({ id: Symbol('x') }), '/data/id', /is a symbol/],
  'undefined in an array': [() => [1, undefined], '/data/1', /is undefined inside an array/],
  NaN: [() => ({ ratio: Number.NaN }), '/data/ratio', /is NaN, which JSON turns into null/],
  Infinity: [() => [Number.POSITIVE_INFINITY], '/data/0', /is Infinity/],
  cycle: [() => cycle, '/data/self', /a cycle/],
  'a __proto__ key': [() => JSON.parse('{"__proto__":{"isAdmin":true}}'), '/data/__proto__', /prototype pollution/],
  'a key needing escapes': [() => ({ 'a/b~c': [() => 1] }), '/data/a~1b~0c/0', /is a function/],
  // The payload is level 1 and `data` level 2, so the array nested past the limit is 63 levels below `data`.
  'nesting past the depth limit': [() => nestedArrays(100), `/data${'/0'.repeat(MAX_PAYLOAD_DEPTH - 1)}`, /nests deeper than 64 objects and arrays/],
};

function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < depth; level += 1) value = [value];
  return value;
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    routes: async (ctx, next, sessions) => {
      const match = /^\/unsafe\/(.+)$/.exec(ctx.path);
      if (!match) return next();
      try {
        sessions.set('scratch', { data: UNSAFE[decodeURIComponent(match[1]!)]![0]() });
        ctx.status = 204;
      } catch (error) {
        const { name, path, message } = error as { name: string; path: string; message: string };
        ctx.body = { name, path, message };
      }
    },
  });
});
afterAll(() => server.close());

const NOW = START / 1000;

async function readProfile(payload: string): Promise<unknown> {
  const response = await fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=${forgeProfileToken(NOW, NOW, payload)}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: unknown }).value;
}

function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

describe('#28 prototype pollution', () => {
  let poisoning: typeof import('@fast-check/poisoning');
  beforeAll(async () => {
    // Node creates some globals on first use (fetch's classes) and dependencies add shims as they load: one
    // ordinary request first, then the snapshot, so that only what the hostile payloads do is compared.
    await readProfile('{"userId":"warm-up"}');
    poisoning = await import('@fast-check/poisoning');
  });

  const hostile = [
    '{"userId":"a","__proto__":{"isAdmin":true}}',
    '{"userId":"a","prefs":{"__proto__":{"isAdmin":"yes"}}}',
    '{"userId":"a","prefs":{"constructor":{"prototype":{"isAdmin":"yes"}}}}',
    '{"userId":"a","prefs":{"constructor":"x"}}',
    '{"userId":"a","prefs":{"\\u005f_proto__":"x"}}',
    '{"userId":"a","prefs":{"__pro\\u0074o__":"x"}}',
    '{"userId":"a","prefs":{"__proto__" :"x"}}',
  ];
  it.each(hostile)('#28 refuses %s and leaves Object.prototype alone', async (payload) => {
    const before = prototypeSnapshot();
    expect(await readProfile(payload)).toBeNull();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(prototypeSnapshot()).toEqual(before);
  });

  it('#28 the same from store data, which is then deleted', async () => {
    const set = await putJson(`${server.url}/s/visit`, { count: 1 });
    const id = cookieValue(set, 'vid');
    await server.storage.inner.write(storageKeyForId('visit', id), `${NOW}.${NOW}.{"count":1,"__proto__":{"isAdmin":true}}`, 60);
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
    expect(await response.json()).toEqual({ value: null });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeUndefined();
  });

  it('#28 property: objects with __proto__ and constructor keys anywhere, 1000 of them, never reach Object.prototype', async () => {
    const gadget = fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin');
    const hostileJson = fc
      .dictionary(fc.oneof(gadget, fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
      .map((prefs) => JSON.stringify({ userId: 'a', prefs }).replace(/"(isAdmin|prototype)"/g, '"__proto__"'));
    await fc.assert(
      fc.asyncProperty(hostileJson, async (payload) => {
        await readProfile(payload);
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('#28 after every hostile payload in this file, @fast-check/poisoning finds no global changed', () => {
    // Runs after the cases above, in order: the snapshot was taken before any of them.
    // vitest's own bookkeeping lives on globals; everything else must be exactly as before.
    poisoning.assertNoPoisoning({ ignoredRootRegex: /^__vitest_/ });
  });

  it('#28 the words themselves are fine as values', async () => {
    expect(await readProfile('{"userId":"constructor","prefs":{"a":"__proto__"}}')).toEqual({
      userId: 'constructor',
      prefs: { a: '__proto__' },
    });
  });
});

describe('#29 schema violations', () => {
  it.each([
    ['an extra property', '{"userId":"a","isAdmin":true}'],
    ['a wrong type', '{"userId":42}'],
    ['a missing required field', '{"roles":["admin"]}'],
    ['an array root', '[{"userId":"a"}]'],
    ['null', 'null'],
    ['not JSON', '{userId:"a"}'],
  ])('#29 on read, %s is no session, never partly applied', async (_label, payload) => {
    expect(await readProfile(payload)).toBeNull();
  });

  it.each([
    [{ userId: 'a', roles: ['root'] }, 'session "profile": payload /roles/0 must be equal to one of the allowed values (admin, member)'],
    [{ userId: 'a', isAdmin: true }, 'session "profile": payload (root) must NOT have additional properties (isAdmin)'],
    [{ roles: [] }, "session \"profile\": payload (root) must have required property 'userId'"],
    [{ userId: '' }, 'session "profile": payload /userId must NOT have fewer than 1 characters'],
    [{ userId: 'a', prefs: { theme: 1 } }, 'session "profile": payload /prefs/theme must be string'],
  ])('#29 on write, %j throws SessionValidationError naming the path, and nothing is sent', async (value, message) => {
    const response = await putJson(`${server.url}/s/profile`, value);
    expect(await response.json()).toEqual({ name: 'SessionValidationError', code: 'SESSION_VALIDATION', message });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('#30 no coercion', () => {
  it.each([
    ['"1" for an integer', '{"userId":"a","count":"1"}'],
    ['true for an integer', '{"userId":"a","count":true}'],
    ['["a"] for a string', '{"userId":["a"]}'],
    ['1 for a string', '{"userId":1}'],
    ['"admin" for an array', '{"userId":"a","roles":"admin"}'],
    ['"true" for an enum item', '{"userId":"a","roles":["true"]}'],
    ['1.5 for an integer', '{"userId":"a","count":1.5}'],
  ])('#30 on read, %s is refused', async (_label, payload) => {
    expect(await readProfile(payload)).toBeNull();
  });

  it('#30 on write, "1" for an integer is refused, not coerced, and no default is filled in', async () => {
    const response = await putJson(`${server.url}/s/profile`, { userId: 'a', count: '1' });
    expect(await response.json()).toMatchObject({ message: 'session "profile": payload /count must be integer' });
    const ok = await putJson(`${server.url}/s/profile`, { userId: 'a' });
    const read = await fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=${cookieValue(ok, 'profile')}` } });
    expect(await read.json()).toEqual({ value: { userId: 'a' } });
  });
});

describe('#31 bombs in store data', () => {
  it.each([
    ['a 1 MB string', () => `${NOW}.${NOW}.{"count":1,"pad":"${'x'.repeat(1024 * 1024)}"}`],
    ['10^4-deep nesting', () => `${NOW}.${NOW}.${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['a 10^6-element array', () => `${NOW}.${NOW}.[${'0,'.repeat(999_999)}0]`],
  ])('#31 %s: no session, no crash, entry deleted', async (_label, value) => {
    const set = await putJson(`${server.url}/s/visit`, { count: 1 });
    const id = cookieValue(set, 'vid');
    await server.storage.inner.write(storageKeyForId('visit', id), value(), 60);
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeUndefined();
  });
});

describe('#31 depth is limited before JSON.parse', () => {
  const tree: SessionDefinition<unknown> = {
    ...VisitSessionProvider.definition,
    name: 'tree',
    // A recursive schema: ajv validates it recursively, so depth alone could overflow the stack.
    schema: {
      $ref: '#/$defs/Node',
      $defs: {
        Node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
          required: ['children'],
          additionalProperties: false,
        },
      },
    },
  };
  /** `nodes` nodes, each inside the previous one's `children`: JSON nesting 2 * nodes - 1 deep. */
  const deepTree = (nodes: number) => `${'{"children":['.repeat(nodes - 1)}{"children":[]}${']}'.repeat(nodes - 1)}`;

  it.each([
    ['10^4 nodes (JSON nesting 19999)', 10_000, false],
    ['33 nodes (JSON nesting 65)', MAX_PAYLOAD_DEPTH / 2 + 1, false],
    ['32 nodes (JSON nesting 63)', MAX_PAYLOAD_DEPTH / 2, true],
  ])('#31 a stored tree of %s under a recursive schema: refused before parsing when too deep, no crash', async (_label, depth, accepted) => {
    const app = await startServer({ spec: specWith(tree) });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const id = cookieValue(await putJson(`${app.url}/s/tree`, { children: [] }), 'vid');
      const payload = deepTree(depth);
      await app.storage.inner.write(storageKeyForId('tree', id), `${NOW}.${NOW}.${payload}`, 60);
      const response = await fetch(`${app.url}/s/tree`, { headers: { cookie: `vid=${id}` } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { value: unknown }).value === null).toBe(!accepted);
      expect(parse.mock.calls.some(([text]) => text === payload)).toBe(accepted);
      if (!accepted) expect(app.events).toContainEqual({ type: 'rejected', session: 'tree', reason: 'malformed', source: 'storage' });
    } finally {
      parse.mockRestore();
      await app.close();
    }
  });

  it('#31 by value too: a cookie nesting one level past the limit is refused, one level less is read', async () => {
    const scratch = (depth: number) => `{"data":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const read = async (payload: string) => {
      const response = await fetch(`${server.url}/s/scratch`, { headers: { cookie: `scratch=${forgeProfileToken(NOW, NOW, payload)}` } });
      return ((await response.json()) as { value: unknown }).value;
    };
    expect(await read(scratch(MAX_PAYLOAD_DEPTH + 1))).toBeNull();
    expect(await read(scratch(MAX_PAYLOAD_DEPTH))).not.toBeNull();
  });
});

describe('#34 no ReDoS: validators compiled by gen, no $data, no nested repetition', () => {
  // gen refuses nested repetition with a position (test/generator/spec-errors.test.ts) and compiles with
  // $data off (test/generator/emit-validators.test.ts); the runtime gets compiled validators and compiles
  // nothing itself (test/runtime/precompiled-validators.test.ts). How long the answer takes, `npm run bench`
  // reports (bench/promises.ts): a clock asserted here would flake on a shared machine.
  it("#34 the demo's sku pattern answers hostile strings, in its generated validator and on its own", () => {
    const validate = payloadValidator('cart', CartSessionProvider.definition.validate);
    const skuPattern = new RegExp('^[A-Za-z0-9-]+$', 'u');
    for (const hostile of ['a'.repeat(100_000) + '!', '-'.repeat(100_000) + '\u0000', 'A1-'.repeat(30_000) + '\u{1F600}', 'a'.repeat(63) + '!']) {
      expect(validate({ items: [{ sku: hostile, qty: 1 }] })).toBeDefined();
      expect(skuPattern.test(hostile)).toBe(false);
    }
  });
});

describe('#32 values JSON cannot hold faithfully', () => {
  it.each(Object.entries(UNSAFE))('#32 %s: SessionValidationError at set, naming the path', async (label, [, path, detail]) => {
    const response = await fetch(`${server.url}/unsafe/${encodeURIComponent(label)}`, { method: 'PUT' });
    const body = (await response.json()) as { name: string; path: string; message: string };
    expect(body.name).toBe('SessionValidationError');
    expect(body.path).toBe(path);
    expect(body.message).toMatch(detail);
    expect(body.message.startsWith(`session "scratch": payload ${path} `)).toBe(true);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('#32 an undefined object property is dropped, as an absent optional property', async () => {
    const response = await putJson(`${server.url}/s/scratch`, { data: { a: 1 } });
    const read = await fetch(`${server.url}/s/scratch`, { headers: { cookie: `scratch=${cookieValue(response, 'scratch')}` } });
    expect(await read.json()).toEqual({ value: { data: { a: 1 } } });
  });
});

describe('#27 too large for a cookie', () => {
  it('#27 throws SessionTooLargeError at set, with the size and the 4096-byte limit', async () => {
    const response = await putJson(`${server.url}/s/profile`, { userId: 'a', note: 'x'.repeat(5000) });
    const body = (await response.json()) as { name: string; code: string; message: string };
    expect(body.name).toBe('SessionTooLargeError');
    expect(body.code).toBe('SESSION_TOO_LARGE');
    expect(body.message).toMatch(/^session "profile" would be \d+ bytes, over the 4096-byte limit; store less in it, or track it by id/);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('#27 the largest payload that fits gives a Set-Cookie of at most 4096 bytes', async () => {
    let low = 0;
    let high = 5000;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      const response = await putJson(`${server.url}/s/profile`, { userId: 'a', note: 'x'.repeat(middle) });
      if (response.status === 204) low = middle;
      else high = middle - 1;
    }
    const fits = await putJson(`${server.url}/s/profile`, { userId: 'a', note: 'x'.repeat(low) }, { 'x-forwarded-proto': 'https' });
    const line = fits.headers.getSetCookie()[0]!;
    expect(line.length).toBeLessThanOrEqual(4096);
    expect(line.length).toBeGreaterThan(4000);
  });
});

describe('#63 one rule for keys: what set accepts a read accepts, what a read refuses set refuses', () => {
  async function readScratch(payload: string): Promise<Response> {
    return fetch(`${server.url}/s/scratch`, { headers: { cookie: `scratch=${forgeProfileToken(NOW, NOW, payload)}` } });
  }

  it('#63 a repeated property name is no session, never "the last one wins"', async () => {
    const events = server.events.length;
    expect(await readProfile('{"userId":"alice","userId":"admin"}')).toBeNull();
    expect(await readProfile('{"userId":"alice","prefs":{"a":"1","b":"2","a":"3"}}')).toBeNull();
    // The same name spelt with an escape is the same name.
    expect(await readProfile('{"userId":"alice","\\u0075serId":"admin"}')).toBeNull();
    expect(server.events.slice(events).map((event) => 'reason' in event && event.reason)).toEqual(['malformed', 'malformed', 'malformed']);
    // Names in different objects, and names that only look alike, are not repeats.
    expect(await readProfile('{"userId":"alice","prefs":{"userId":"x","userid":"y"}}')).toEqual({ userId: 'alice', prefs: { userId: 'x', userid: 'y' } });
  });

  it('#63 a map key that merely contains "constructor" or "__proto__" is set and read back alike', async () => {
    const prefs = { 'a"constructor': 'x', '"__proto__': 'y', 'constructor ': 'z', '\\"constructor\\"': 'w' };
    const set = await putJson(`${server.url}/s/profile`, { userId: 'ada', prefs });
    expect(set.status).toBe(204);
    const read = await fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=${cookieValue(set, 'profile')}` } });
    expect(await read.json()).toEqual({ value: { userId: 'ada', prefs } });
  });

  it('#63 property: for any JSON data, set and a read of the same text agree, and the read gives back what was set', async () => {
    const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('constructor', '__proto__', 'a"constructor', 'x"__proto__":', '\\u0061'));
    const data = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
    })).value;
    await fc.assert(
      fc.asyncProperty(data, async (value) => {
        const payload = JSON.stringify({ data: value });
        const set = await putJson(`${server.url}/s/scratch`, { data: value });
        const read = await readScratch(payload);
        const readValue = ((await read.json()) as { value: unknown }).value;
        if (set.status === 204) {
          expect(readValue).toEqual(JSON.parse(payload));
          const written = await fetch(`${server.url}/s/scratch`, { headers: { cookie: `scratch=${cookieValue(set, 'scratch')}` } });
          expect(((await written.json()) as { value: unknown }).value).toEqual(JSON.parse(payload));
        } else {
          expect(set.status).toBe(422);
          expect(await set.json()).toMatchObject({ name: 'SessionValidationError' });
          expect(readValue).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });
});
