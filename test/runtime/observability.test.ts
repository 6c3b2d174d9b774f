/**
 * Observability of refusals (issue 3; security.md #24 and #42): every refused session, whatever the reason and
 * wherever the bad data came from, gives exactly one `rejected` event and one warning line carrying the
 * reason code (a session past its time then its lifecycle `expired` event, with no line of its own), and no
 * event or log line, from the app's logger or the default stderr one, ever holds a token, an id or a payload.
 * And a `refreshed` event says a session was re-sent: it comes with a token in the response, never without one.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateKey, type RejectionReason, type RejectionSource, type LifecycleEvent } from 'typed-sessions';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { parseKeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import { cookiePairs, cookieValue, forgeProfileToken, putJson, sendRaw, startServer, START, type TestServer } from './server.js';
import { flipBit } from './token-frames.js';

const NOW = START / 1000;
/** In every payload the cases send or store; it must never reach a log. */
const MARKER = 'secret-marker-7f3a';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Everything secret a case sent or stored: no log line may contain any of it. */
const secrets: string[] = [MARKER];

function keep<T extends string>(secret: T): T {
  secrets.push(secret);
  return secret;
}

const sealUser = (key: string, payload: string) => createEncryptTransformer(parseKeyRing('main', key, 'test'), 'user').seal(`${NOW}.${NOW}.${payload}`);

/** A by-id `visit` session whose stored entry is replaced by `entry`; the cookie to present it. */
async function storedVisit(entry: string): Promise<string> {
  const id = keep(cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid'));
  await server.storage.inner.write(storageKeyForId('visit', id), entry, 60);
  return `vid=${id}`;
}

interface Case {
  readonly reason: RejectionReason;
  readonly source: RejectionSource;
  readonly path: string;
  readonly cookie: () => Promise<string>;
  /** What `onLifecycle` gets besides: a session past its time ends. */
  readonly lifecycle?: readonly LifecycleEvent[];
}

const cases: Case[] = [
  { reason: 'malformed', source: 'token', path: '/s/profile', cookie: async () => `profile=${keep(`${MARKER}!not-base64url`)}` },
  { reason: 'tampered', source: 'token', path: '/s/user', cookie: async () => `__Host-user=${keep(flipBit(sealUser(server.key, `{"userId":"${MARKER}"}`), 200))}` },
  { reason: 'unknown_key', source: 'token', path: '/s/user', cookie: async () => `__Host-user=${keep(sealUser(generateKey(), `{"userId":"${MARKER}"}`))}` },
  {
    reason: 'expired',
    source: 'token',
    path: '/s/profile',
    cookie: async () => `profile=${keep(forgeProfileToken(NOW - 7200, NOW - 7200, `{"userId":"${MARKER}"}`))}`,
    lifecycle: [{ type: 'expired', session: 'profile' }],
  },
  // #22: stamped beyond the clock skew, never a live session: refused as expired, and no lifecycle event.
  { reason: 'expired', source: 'token', path: '/s/profile', cookie: async () => `profile=${keep(forgeProfileToken(NOW, NOW + 61, `{"userId":"${MARKER}"}`))}` },
  { reason: 'schema', source: 'token', path: '/s/profile', cookie: async () => `profile=${keep(forgeProfileToken(NOW, NOW, `{"userId":"${MARKER}","admin":true}`))}` },
  { reason: 'too_large', source: 'token', path: '/s/profile', cookie: async () => `profile=${keep('S3CRET'.repeat(800))}` },
  { reason: 'unknown_id', source: 'token', path: '/s/visit', cookie: async () => `vid=${keep(generateSessionId())}` },
  {
    reason: 'ambiguous',
    source: 'token',
    path: '/s/profile',
    cookie: async () =>
      `profile=${keep(forgeProfileToken(NOW, NOW, `{"userId":"${MARKER}"}`))}; profile=${keep(forgeProfileToken(NOW, NOW, `{"userId":"${MARKER}2"}`))}`,
  },
  { reason: 'malformed', source: 'storage', path: '/s/visit', cookie: () => storedVisit(`${NOW}.${NOW}.{"count":"${MARKER}`) },
  {
    reason: 'expired',
    source: 'storage',
    path: '/s/visit',
    cookie: () => storedVisit(`${NOW - 7200}.${NOW - 7200}.{"count":1,"m":"${MARKER}"}`),
    lifecycle: [{ type: 'expired', session: 'visit' }],
  },
  { reason: 'expired', source: 'storage', path: '/s/visit', cookie: () => storedVisit(`${NOW + 61}.${NOW + 61}.{"count":1,"m":"${MARKER}"}`) },
  { reason: 'schema', source: 'storage', path: '/s/visit', cookie: () => storedVisit(`${NOW}.${NOW}.{"count":"${MARKER}"}`) },
  { reason: 'too_large', source: 'storage', path: '/s/visit', cookie: () => storedVisit(`${NOW}.${NOW}.{"count":1,"m":"${MARKER.repeat(20_000)}"}`) },
];

/** Every line a logger or hook received so far, as text to search. */
function everythingLogged(lines: readonly string[] = []): string {
  return JSON.stringify([server.warnings, server.events, server.lifecycle, lines]);
}

function expectNoSecrets(logged: string): void {
  for (const secret of secrets) {
    expect(logged).not.toContain(secret);
    // A prefix is enough to replay some formats: no 16 characters of any secret either.
    if (secret.length > 16) expect(logged).not.toContain(secret.slice(0, 16));
  }
}

describe('observability of refused sessions', () => {
  it.each(cases)('$reason from the $source: exactly one rejected event and one warning line with the code, and no secret', async ({ reason, source, path, cookie, lifecycle = [] }) => {
    const header = await cookie();
    const [events, warnings, ended] = [server.events.length, server.warnings.length, server.lifecycle.length];
    const response = await sendRaw(server.port, path, [`Cookie: ${header}`]);
    expect(response.status).toBe(200);
    const session = path.slice(3);
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session, reason, source }]);
    expect(server.lifecycle.slice(ended)).toEqual(lifecycle);
    expect(server.warnings.slice(warnings)).toEqual([{ message: 'session rejected', fields: { session, reason, source } }]);
    expectNoSecrets(everythingLogged());
  });

  it('a refusal while the handler throws is still exactly one line', async () => {
    const warnings = server.warnings.length;
    const response = await sendRaw(server.port, '/s/user/then-throw', [`Cookie: __Host-user=${keep(`${MARKER}-x`)}`]);
    expect(response.status).toBe(401);
    expect(server.warnings.slice(warnings)).toEqual([{ message: 'session rejected', fields: { session: 'user', reason: 'malformed', source: 'token' } }]);
  });

  it('#42 storage faults are logged with the storage error, never the id', async () => {
    const cookie = await storedVisit(`${NOW}.${NOW}.{"count":1}`);
    server.storage.mode = 'reject';
    try {
      const warnings = server.warnings.length;
      expect((await fetch(`${server.url}/s/visit`, { headers: { cookie } })).status).toBe(503);
      expect(server.warnings.slice(warnings)).toEqual([
        { message: 'session storage unavailable', fields: { session: 'visit', storage: 'mem', operation: 'read', error: 'connection refused' } },
      ]);
    } finally {
      server.storage.mode = 'ok';
    }
    expectNoSecrets(everythingLogged());
  });

  // Each case above checks the log as it stands; this one drives every path itself, so a secret of a later
  // case cannot hide in an earlier line whatever order the tests run in.
  it('#42 across every failure path in one run, no log line or event holds a token, an id or a payload', async () => {
    const warnings = server.warnings.length;
    for (const { path, cookie } of cases) await sendRaw(server.port, path, [`Cookie: ${await cookie()}`]);
    expect(server.warnings.length - warnings).toBe(cases.length);
    expectNoSecrets(everythingLogged());
  });

  it('#42 the default logger writes one JSON line per refusal to stderr, with the code and no secret', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const app = await startServer({ install: { logger: undefined } });
    try {
      const token = keep(forgeProfileToken(NOW, NOW, `{"userId":"${MARKER}","admin":true}`));
      await sendRaw(app.port, '/s/profile', [`Cookie: profile=${token}`]);
    } finally {
      write.mockRestore();
      await app.close();
    }
    const ours = lines.filter((line) => line.includes('"session rejected"'));
    expect(ours.map((line) => JSON.parse(line))).toEqual([
      { level: 'warn', message: 'session rejected', session: 'profile', reason: 'schema', source: 'token' },
    ]);
    expectNoSecrets(JSON.stringify(lines));
  });
});

describe('refreshed events: one per session re-sent unchanged, and none for a session that is not re-sent', () => {
  /** What a read-only request carrying `headers` sent back: Set-Cookie pairs, the X-Cart header, and the events. */
  async function readOnly(path: string, headers: Record<string, string>): Promise<{ sent: string[]; events: unknown[] }> {
    const events = server.events.length;
    const response = await fetch(`${server.url}${path}`, { headers });
    expect((await response.json()).value).not.toBeNull();
    const cart = response.headers.get('x-cart');
    return { sent: [...cookiePairs(response), ...(cart === null ? [] : [`x-cart=${cart}`])], events: server.events.slice(events) };
  }

  it('#38 by value, a read past a tenth of the idle window re-seals the session and says so', async () => {
    server.clock.now = START;
    const cookie = `profile=${forgeProfileToken(NOW, NOW, '{"userId":"ada"}')}`;
    server.clock.advance(60);
    try {
      const { sent, events } = await readOnly('/s/profile', { cookie });
      expect(sent).toEqual([expect.stringMatching(/^profile=./)]);
      expect(events).toEqual([{ type: 'refreshed', session: 'profile', reason: 'idle' }]);
    } finally {
      server.clock.now = START;
    }
  });

  it.each([
    ['visit', 'a cookie', async () => ({ cookie: `vid=${cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid')}` }), 599],
    ['cart', 'a header', async () => ({ 'x-cart': (await putJson(`${server.url}/s/cart`, { items: [] })).headers.get('x-cart')! }), 7199],
  ])('#38 #51 by id (%s, in %s), a read-only read re-sends nothing and reports no refresh: the storage read slid the idle window', async (name, _transport, login, idle) => {
    server.clock.now = START;
    const headers = await login();
    try {
      for (const elapsed of [idle / 10, idle]) {
        server.clock.now = START + elapsed * 1000;
        expect(await readOnly(`/s/${name}`, headers)).toEqual({ sent: [], events: [] });
      }
    } finally {
      server.clock.now = START;
    }
  });
});
