/**
 * What refusing hostile input does, counted rather than timed: bogus tokens of maximum length in every format
 * a session accepts (security.md #56) and pathological `Cookie` headers (security.md #59). The cookie parser
 * examines each character of a header a bounded number of times, whatever its shape; a refusal runs the same
 * few MAC and cipher contexts at every length, over at most twice the token's bytes. What that costs in CPU
 * time, against refusing a native token and against carrying the same bytes, `npm run bench` measures
 * (bench/promises.ts): a clock asserted on a shared machine flakes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_COOKIE_TOKEN_LENGTH, PATHOLOGICAL_COOKIES, REFUSAL_SPEC, refusalCases, refusalKeys } from '../support/bogus-tokens.js';
import { parseCookies } from '../../runtime/transport/cookie.js';
import { cookiePairs, startServer, type TestRoutes, type TestServer } from './server.js';

/** MAC and cipher contexts made, and the bytes fed to them, since the last reset. */
const crypto = vi.hoisted(() => ({ contexts: 0, bytes: 0 }));

// Calls through: the real primitives still decide, the test only counts their work.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  function counted<T extends { update(data: string | NodeJS.ArrayBufferView, encoding?: BufferEncoding): unknown }>(context: T): T {
    crypto.contexts += 1;
    const update = context.update.bind(context);
    context.update = (data: string | NodeJS.ArrayBufferView, encoding?: BufferEncoding) => {
      crypto.bytes += typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.byteLength;
      return update(data, encoding);
    };
    return context;
  }
  return {
    ...real,
    createHmac: (...args: Parameters<typeof real.createHmac>) => counted(real.createHmac(...args)),
    createDecipheriv: (...args: Parameters<typeof real.createDecipheriv>) => counted(real.createDecipheriv(...args)),
  };
});

const SHORT = 256;

/** Characters examined while `run` ran: each `indexOf` from where it starts to its match (or the end), and each `charCodeAt`. */
function charactersScanned(run: () => void): number {
  const original = String.prototype.indexOf;
  let scanned = 0;
  const originalCharCodeAt = String.prototype.charCodeAt;
  String.prototype.indexOf = function countedIndexOf(this: string, search: string, from?: number): number {
    const start = Math.min(Math.max(0, Math.trunc(from ?? 0)), this.length);
    const found = original.call(this, search, from);
    scanned += (found === -1 ? this.length : found + search.length) - start;
    return found;
  };
  // Trimming a pair's whitespace reads one character at a time.
  String.prototype.charCodeAt = function countedCharCodeAt(this: string, index: number): number {
    scanned += 1;
    return originalCharCodeAt.call(this, index);
  };
  try {
    run();
  } finally {
    String.prototype.indexOf = original;
    String.prototype.charCodeAt = originalCharCodeAt;
  }
  return scanned;
}

describe('#59 the Cookie header is parsed in linear time', () => {
  const names = new Set(REFUSAL_SPEC.providers.map(({ definition }) => definition.name));

  // The parser's loops over the header are its searches and the trimming of each pair's whitespace, both
  // counted; the quadratic version searched each pair's `=` from the pair's start, rescanning the rest once
  // per `;`.
  it.each(PATHOLOGICAL_COOKIES)('#59 %s: each character of a 64 KB header is examined at most 3 times', (_, shape) => {
    const header = shape(64 * 1024);
    const scanned = charactersScanned(() => parseCookies(header, names));
    expect(scanned).toBeGreaterThanOrEqual(header.length);
    expect(scanned).toBeLessThanOrEqual(3 * header.length);
  });
});

describe('#56 refusing a bogus token costs about what refusing a native one does, in every format', () => {
  const cases = refusalCases();

  it.each(cases.map((refusal) => [refusal.format, refusal] as const))('#56 %s: a bogus token of maximum length is refused where the format checks it', (_, refusal) => {
    for (const length of [SHORT, MAX_COOKIE_TOKEN_LENGTH]) {
      const token = refusal.bogus(length);
      expect(token).toHaveLength(length);
      expect(refusal.refuse(token)).toMatchObject({ ok: false, reason: refusal.reason });
    }
  });

  it.each(cases.map((refusal) => [refusal.format, refusal] as const))('#56 %s: the same MAC and cipher contexts at every length, over at most twice the token', (_, refusal) => {
    const work = [SHORT, MAX_COOKIE_TOKEN_LENGTH].map((length) => {
      const token = refusal.bogus(length);
      crypto.contexts = 0;
      crypto.bytes = 0;
      refusal.refuse(token);
      return { contexts: crypto.contexts, bytes: crypto.bytes, length };
    });
    const [short, long] = work as [(typeof work)[0], (typeof work)[0]];
    // A MAC'd format runs its MAC; an insecure one (reason 'malformed') has none, and its parser's cost is the bench's.
    expect(long.contexts > 0).toBe(refusal.reason === 'tampered');
    expect(long.contexts).toBe(short.contexts);
    expect(long.contexts).toBeLessThanOrEqual(3);
    for (const { bytes, length } of work) expect(bytes).toBeLessThanOrEqual(2 * length);
  });
});

describe('#56 #59 over HTTP: hostile cookies are no session', () => {
  const keys = refusalKeys();
  const cases = refusalCases(keys);
  let server: TestServer;

  beforeAll(async () => {
    // Room for a 64 KB Cookie header; Node's default limit (16 KiB) would answer 431 before any session code.
    // A route that uses every session, since each opens when the handler first uses it.
    const everySession: TestRoutes = async (ctx, next, sessions) => {
      if (ctx.path !== '/every') return next();
      const values = [...names].map((name) => (sessions as unknown as { get(name: string): unknown }).get(name));
      ctx.body = { value: values.find((value) => value !== undefined) ?? null };
    };
    server = await startServer({ spec: REFUSAL_SPEC, install: { keys, storages: {} }, maxHeaderSize: 80 * 1024, routes: everySession });
  });
  afterAll(() => server.close());

  const names = new Set(REFUSAL_SPEC.providers.map(({ definition }) => definition.name));
  const get = (headers: Record<string, string>) => fetch(`${server.url}/every`, { headers });

  it('#56 three bogus 4 KB Ktor cookies: 200, no session, one rejected event each, and each cookie expired', async () => {
    const ktor = cases.filter(({ format }) => ['ktor-sign, JSON', 'ktor-encrypt', 'ktor-encrypt, legacyMac'].includes(format));
    server.events.length = 0;
    const response = await get({ cookie: ktor.map(({ cookie, bogus }) => `${cookie}=${bogus(MAX_COOKIE_TOKEN_LENGTH)}`).join('; ') });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(server.events).toEqual(ktor.map(({ cookie }) => ({ type: 'rejected', session: cookie, reason: 'tampered', source: 'token' })));
    expect(cookiePairs(response)).toEqual(ktor.map(({ cookie }) => `${cookie}=`));
  });

  it.each(PATHOLOGICAL_COOKIES)('#59 a 64 KB Cookie of %s: 200, no session, no event', async (_, shape) => {
    server.events.length = 0;
    const response = await get({ cookie: shape(64 * 1024) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(server.events).toEqual([]);
  });

  it('#59 a 4 KB run of digits where an insecure ktor-reflection session expects a number: refused as malformed', async () => {
    const plain = cases.find(({ format }) => format === 'ktor-reflection, insecure: digits')!;
    server.events.length = 0;
    const response = await get({ cookie: `${plain.cookie}=${plain.bogus(MAX_COOKIE_TOKEN_LENGTH)}` });
    expect(response.status).toBe(200);
    expect(server.events).toEqual([{ type: 'rejected', session: plain.cookie, reason: 'malformed', source: 'token' }]);
  });
});
