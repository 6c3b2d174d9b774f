/**
 * What hostile input costs to refuse, against what reading it costs: bogus tokens of maximum length in every
 * format a session accepts (security.md #56), and pathological `Cookie` headers (security.md #59). Costs are
 * CPU time, compared as medians of same-round ratios (test/support/cpu-cost.ts) with generous bounds, never
 * against a clock: 16 times the input may cost at most 40 times as much; a format's refusal at most 4 times a
 * native one's of the same length; a request with a hostile `Cookie` at most 4 times one carrying the same
 * bytes in a header nothing parses. Before the fixes the worst were 190, 750 and 15 times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuRounds, medianRatio } from '../support/cpu-cost.js';
import { MAX_COOKIE_TOKEN_LENGTH, REFUSAL_SPEC, YARDSTICK_FORMAT, refusalCases, refusalKeys } from '../support/bogus-tokens.js';
import { parseCookies } from '../../runtime/transport/cookie.js';
import { cookiePairs, startServer, type TestServer } from './server.js';

const SHORT = 256;
/** Most growth allowed for 16 times the length: linear, with room for noise. */
const MAX_GROWTH = 40;
/** Most a refusal may cost over refusing a native encrypted token of the same length. */
const MAX_OVER_NATIVE = 4;
/** Most a request with a hostile `Cookie` may cost over one carrying the same bytes in a header nothing parses. */
const MAX_OVER_CARRYING = 4;

/** `Cookie` headers of about `length` characters that a parser might take quadratic time over. */
const PATHOLOGICAL_COOKIES: readonly (readonly [string, (length: number) => string])[] = [
  ['";" only', (length) => ';'.repeat(length)],
  ['names without "=", and one "=" at the end', (length) => `${'a;'.repeat(length / 2)}=`],
  ['empty pairs of a session cookie', (length) => 'ksig=; '.repeat(Math.floor(length / 7))],
  ['empty pairs', (length) => '=;'.repeat(length / 2)],
  ['one huge name', (length) => `${'n'.repeat(length)}=1`],
];

describe('#59 the Cookie header is parsed in linear time', () => {
  const names = new Set(REFUSAL_SPEC.providers.map(({ definition }) => definition.name));

  // Many calls in interleaved rounds: V8 optimizes parseCookies on the way, and optimized code must stay linear too.
  it.each(PATHOLOGICAL_COOKIES)('#59 %s: 16 times the length costs less than 40 times as much', async (_, shape) => {
    const rounds = await cpuRounds([() => parseCookies(shape(4 * 1024), names), () => parseCookies(shape(64 * 1024), names)]);
    expect(medianRatio(rounds, 1, 0)).toBeLessThan(MAX_GROWTH);
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

  it('#56 refusal cost grows linearly with the length and stays within 4x of refusing a native encrypted token of the same length', async () => {
    const operations = cases.flatMap((refusal) =>
      [SHORT, MAX_COOKIE_TOKEN_LENGTH].map((length) => {
        const token = refusal.bogus(length);
        return () => refusal.refuse(token);
      }),
    );
    const rounds = await cpuRounds(operations);
    // Operation 2i refuses case i's short token, 2i + 1 its longest.
    const native = 2 * cases.findIndex(({ format }) => format === YARDSTICK_FORMAT) + 1;
    const rows = cases.map(({ format }, index) => ({
      format,
      growth: medianRatio(rounds, 2 * index + 1, 2 * index),
      overNative: medianRatio(rounds, 2 * index + 1, native),
    }));
    expect(rows.filter((row) => row.growth >= MAX_GROWTH || row.overNative >= MAX_OVER_NATIVE)).toEqual([]);
  });
});

describe('#56 #59 over HTTP: hostile cookies are no session, and cost about what carrying their bytes does', () => {
  const keys = refusalKeys();
  const cases = refusalCases(keys);
  let server: TestServer;

  beforeAll(async () => {
    // Room for a 64 KB Cookie header; Node's default limit (16 KiB) would answer 431 before any session code.
    server = await startServer({ spec: REFUSAL_SPEC, install: { keys, storages: {} }, maxHeaderSize: 80 * 1024 });
  });
  afterAll(() => server.close());

  const get = (headers: Record<string, string>) => fetch(`${server.url}/s/ksig`, { headers });

  /** The median cost of a request with `cookie`, over that of one carrying the same bytes in a header nobody parses. */
  async function costOverCarrying(cookie: string): Promise<number> {
    const rounds = await cpuRounds([
      () => get({ cookie }).then((response) => response.arrayBuffer()),
      () => get({ 'x-padding': cookie }).then((response) => response.arrayBuffer()),
    ]);
    return medianRatio(rounds, 0, 1);
  }

  it('#56 three bogus 4 KB Ktor cookies: 200, no session, one rejected event each, and each cookie expired', async () => {
    const ktor = cases.filter(({ format }) => ['ktor-sign, JSON', 'ktor-encrypt', 'ktor-encrypt, legacyMac'].includes(format));
    server.events.length = 0;
    const response = await get({ cookie: ktor.map(({ cookie, bogus }) => `${cookie}=${bogus(MAX_COOKIE_TOKEN_LENGTH)}`).join('; ') });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(server.events).toEqual(ktor.map(({ cookie }) => ({ type: 'rejected', session: cookie, reason: 'tampered', source: 'token' })));
    expect(cookiePairs(response)).toEqual(ktor.map(({ cookie }) => `${cookie}=`));
  });

  it.each(PATHOLOGICAL_COOKIES)('#59 a 64 KB Cookie of %s: 200, no session, and about the cost of carrying it', async (_, shape) => {
    const cookie = shape(64 * 1024);
    server.events.length = 0;
    const response = await get({ cookie });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(server.events).toEqual([]);
    expect(await costOverCarrying(cookie)).toBeLessThan(MAX_OVER_CARRYING);
  });

  it('#59 a 4 KB run of digits where an insecure ktor-reflection session expects a number: refused, about the cost of carrying it', async () => {
    const plain = cases.find(({ format }) => format === 'ktor-reflection, insecure: digits')!;
    const cookie = `${plain.cookie}=${plain.bogus(MAX_COOKIE_TOKEN_LENGTH)}`;
    server.events.length = 0;
    const response = await get({ cookie });
    expect(response.status).toBe(200);
    expect(server.events).toEqual([{ type: 'rejected', session: plain.cookie, reason: 'malformed', source: 'token' }]);
    expect(await costOverCarrying(cookie)).toBeLessThan(MAX_OVER_CARRYING);
  });
});
