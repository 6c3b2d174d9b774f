/** Everything wrong with the configuration fails at createSessionsMiddleware, with a SessionConfigError that says what to fix. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStorage, SessionConfigError, generateKey, type InstallOptions } from 'typed-sessions';
import { SessionProvider, createSessionsMiddleware, type CookieSettings, type SessionDefinition, type SpecDefinition } from 'typed-sessions/core';
import { HOUR, KEYS_ENV, NoteSessionProvider, ProfileSessionProvider, VisitSessionProvider, spec, specWith } from './fixtures.js';

const quiet: InstallOptions = { logger: { warn() {} } };

function install(target: SpecDefinition, options: InstallOptions = {}): () => unknown {
  return () => createSessionsMiddleware(target, { ...quiet, keys: { main: generateKey() }, ...options });
}

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError);
    expect(error).toMatchObject({ name: 'SessionConfigError', code: 'SESSION_CONFIG' });
    return (error as Error).message;
  }
  throw new Error('expected a SessionConfigError');
}

const cookieSession = (name: string, cookie: Partial<CookieSettings>): SessionDefinition<unknown> => ({
  ...NoteSessionProvider.definition,
  name: 'demo',
  transport: { kind: 'cookie', name, cookie: { path: '/', httpOnly: true, secure: true, sameSite: 'lax', ...cookie } },
});

describe('startup errors', () => {
  it('installs the fixture spec, reading the key ring from env', () => {
    const middleware = createSessionsMiddleware(spec, { ...quiet, env: { [KEYS_ENV]: generateKey() } });
    expect(middleware.name).toBe('sessions');
  });

  it('a missing key ring names the environment variable', () => {
    expect(configError(() => createSessionsMiddleware(spec, { ...quiet, env: {} }))).toMatch(
      /key ring "main": environment variable TEST_SESSION_KEYS is not set/,
    );
  });

  it.each([
    ['a placeholder', 'keyboard cat', /well-known placeholder/],
    ['a short key', Buffer.alloc(16, 7).toString('base64url'), /decodes to 16 bytes/],
    ['an empty ring', '', /is empty/],
  ])('a weak key (%s) in the environment is refused, naming the variable', (_label, value, problem) => {
    const message = configError(() => createSessionsMiddleware(spec, { ...quiet, env: { [KEYS_ENV]: value } }));
    expect(message).toContain('TEST_SESSION_KEYS');
    expect(message).toMatch(problem);
  });

  it('a weak key passed in options is refused too', () => {
    expect(configError(install(spec, { keys: { main: 'secret' } }))).toMatch(/installSessions\(\{ keys: \{ main \} \}\).*placeholder/);
  });

  it('keys or storages for names the spec does not declare are refused, not ignored', () => {
    expect(configError(install(spec, { keys: { main: generateKey(), mian: generateKey() } }))).toMatch(/no key ring "mian" \(declared: main\)/);
    expect(configError(install(spec, { storages: { memory: new MemoryStorage({ maxEntries: 1 }) } }))).toMatch(
      /no storage "memory" \(declared: mem\)/,
    );
  });

  it('a redis storage without its URL variable set is refused, naming the variable; an instance from installSessions({ storages }) needs none', () => {
    const target = specWith(VisitSessionProvider.definition, { mem: { kind: 'redis', url: { env: 'SESSIONS_REDIS_URL' }, prefix: 'sess:' } });
    for (const env of [{}, { SESSIONS_REDIS_URL: '' }]) {
      expect(configError(install(target, { env }))).toMatch(
        /storage "mem" is kind redis and reads its URL from the environment variable SESSIONS_REDIS_URL, which is not set; set it .* or pass a client via installSessions\(\{ storages: \{ mem: new RedisStorage\(client\) \} \}\)/,
      );
    }
    expect(install(target, { env: {}, storages: { mem: new MemoryStorage({ maxEntries: 10 }) } })).not.toThrow();
  });

  it('a directory storage is built from the spec, creating its folder at startup', () => {
    const root = mkdtempSync(join(tmpdir(), 'typed-sessions-startup-'));
    const path = join(root, 'sessions');
    try {
      expect(install(specWith(VisitSessionProvider.definition, { mem: { kind: 'directory', path, maxEntries: 10 } }))).not.toThrow();
      expect(statSync(path).isDirectory()).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each<{ name: string; target: SpecDefinition; layer: string; entry: string; user: RegExp }>([
    {
      name: 'a redis storage',
      target: specWith(VisitSessionProvider.definition, { mem: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' } }),
      layer: 'redis',
      entry: 'buildRedisStorage from typed-sessions/redis',
      user: /^storage "mem" is kind redis, which/,
    },
    {
      name: 'a directory storage',
      target: specWith(VisitSessionProvider.definition, { mem: { kind: 'directory', path: '.sessions', maxEntries: 10 } }),
      layer: 'directory',
      entry: 'buildDirectoryStorage from typed-sessions/directory',
      user: /^storage "mem" is kind directory, which/,
    },
    {
      name: "a session in Ktor's format",
      target: specWith({ ...NoteSessionProvider.definition, ktor: { serializer: 'json' }, transforms: [], insecure: true }),
      layer: 'ktor',
      entry: 'ktorLayer from typed-sessions/ktor',
      user: /^session "note" is in Ktor's format, which/,
    },
  ])('$name in a definition without its layer is refused, saying to regenerate; an instance passed in needs none', ({ target, layer, entry, user }) => {
    const message = configError(install({ ...target, layers: {} }, { env: { REDIS_URL: 'redis://127.0.0.1:1' } }));
    expect(message).toMatch(user);
    expect(message).toContain(`needs layers.${layer} (${entry}) in the spec definition`);
    expect(message).toMatch(/run npx typed-sessions gen$/);
    if (layer !== 'ktor') expect(install({ ...target, layers: {} }, { storages: { mem: new MemoryStorage({ maxEntries: 10 }) } })).not.toThrow();
  });

  it('a by-value session with no sign or encrypt is refused unless insecure: true is written out', () => {
    const { insecure: _insecure, ...forgeable } = ProfileSessionProvider.definition;
    expect(configError(install(specWith(forgeable)))).toMatch(/session "profile": a session that travels by value \(no storage\) needs a sign or encrypt transform/);
  });

  it('load: lazy is refused on a by-value session, and taken on a by-id one', () => {
    expect(configError(install(specWith({ ...NoteSessionProvider.definition, load: 'lazy' })))).toBe(
      'session "note": load: lazy is for sessions tracked by id in a storage; a by-value session already opens only when the handler first uses it, so remove load:; fix it in sessions.yaml',
    );
    expect(() => install(specWith({ ...VisitSessionProvider.definition, load: 'lazy' }))).not.toThrow();
  });

  it.each([
    ['#6 __Host- with a domain', cookieSession('__Host-sid', { domain: 'example.com' }), /a __Host- cookie cannot set a domain/],
    ['#6 __Host- with a path other than /', cookieSession('__Host-sid', { path: '/app' }), /a __Host- cookie must have path "\/"/],
    ['#6 __Host- with secure: auto', cookieSession('__Host-sid', { secure: 'auto' }), /the __Host- cookie name needs secure: true/],
    ['#6 __Secure- with secure: false', cookieSession('__Secure-sid', { secure: false }), /needs secure: true/],
    ['#6 a lower-case __secure- prefix', cookieSession('__secure-sid', { secure: false }), /needs secure: true/],
    ['#6 sameSite: none without secure', cookieSession('sid', { sameSite: 'none', secure: 'auto' }), /sameSite: none needs secure: true/],
    ['#6 partitioned without secure', cookieSession('sid', { partitioned: true, secure: false }), /partitioned: true needs secure: true/],
    ['#7 ";" in the name', cookieSession('sid;x', {}), /has a name with a character cookies do not allow/],
    ['#7 "=" in the name', cookieSession('sid=x', {}), /has a name with a character/],
    ['#7 a space in the name', cookieSession('s id', {}), /has a name with a character/],
    ['#7 a CTL in the name', cookieSession('sid\u0001', {}), /has a name with a character/],
    ['#7 ";" in the path', cookieSession('sid', { path: '/; Domain=evil.com' }), /has path/],
    ['#7 a path not starting with /', cookieSession('sid', { path: 'app' }), /has path "app": it must start with "\/"/],
    ['#7 a space in the domain', cookieSession('sid', { domain: 'a.com; Secure' }), /has domain/],
    ['#7 a CTL in the domain', cookieSession('sid', { domain: 'a.com\r\n' }), /has domain/],
  ])('%s', (_label, definition, problem) => {
    const message = configError(install(specWith(definition)));
    expect(message).toMatch(/^session "demo": cookie "/);
    expect(message).toMatch(problem);
  });

  it('a header name with characters headers do not allow', () => {
    const definition = { ...VisitSessionProvider.definition, transport: { kind: 'header', name: 'X Cart' } } as const;
    expect(configError(install(specWith(definition)))).toMatch(/header "X Cart" is not a valid header name/);
  });

  it.each([
    ['idle not below maxAge', { maxAge: HOUR, idle: HOUR, rolling: false }, /expiry.idle \(1h\) must be less than maxAge \(1h\)/],
    ['idle not below maxAge, in weeks', { maxAge: 1_209_600, idle: 1_814_400, rolling: false }, /expiry.idle \(3w\) must be less than maxAge \(2w\)/],
    ['a fractional maxAge', { maxAge: 1.5, rolling: false }, /expiry.maxAge must be a whole number of seconds above 0, not 1.5/],
    ['a zero maxAge', { maxAge: 0, rolling: false }, /expiry.maxAge must be a whole number of seconds above 0, not 0/],
    ['touchAfter not below idle', { maxAge: HOUR, idle: 600, touchAfter: 600, rolling: false }, /expiry.touchAfter \(10m\) must be less than idle \(10m\)/],
    ['touchAfter without idle', { maxAge: HOUR, touchAfter: 60, rolling: false }, /expiry.touchAfter limits how often activity slides the idle timeout, and there is no expiry.idle/],
    ['touchAfter with rolling', { maxAge: HOUR, idle: 600, touchAfter: 0, rolling: true }, /expiry.touchAfter cannot be combined with rolling: true/],
    ['a negative touchAfter', { maxAge: HOUR, idle: 600, touchAfter: -1, rolling: false }, /expiry.touchAfter must be a whole number of seconds, 0 or more, not -1/],
    ['a fractional touchAfter', { maxAge: HOUR, idle: 600, touchAfter: 0.5, rolling: false }, /expiry.touchAfter must be a whole number of seconds, 0 or more, not 0.5/],
  ])('expiry with %s', (_label, expiry, problem) => {
    expect(configError(install(specWith({ ...NoteSessionProvider.definition, expiry })))).toMatch(problem);
  });

  it('a definition without a compiled validator (written by hand, or by an older gen) says to run gen', () => {
    // What an older gen emitted: the schema alone, for the runtime to compile.
    const { validate: _, ...definition } = NoteSessionProvider.definition;
    class OldSessionProvider extends SessionProvider<unknown> {
      static readonly definition = definition as SessionDefinition<unknown>;
    }
    expect(configError(install({ ...spec, providers: [OldSessionProvider] }))).toBe(
      'session "note" has no compiled payload validator (definition.validate): its definition was written by hand or generated by an older typed-sessions; run `npx typed-sessions gen` to regenerate it',
    );
  });

  it.each([0, -1, Number.NaN])('storageTimeout %s', (storageTimeout) => {
    expect(configError(install(spec, { storageTimeout }))).toMatch(/storageTimeout/);
  });

  it.each([
    ['queueTimeout', 0],
    ['holdTimeout', -1],
    ['holdTimeout', Number.POSITIVE_INFINITY],
  ] as const)('%s %s', (option, value) => {
    expect(configError(install(spec, { [option]: value }))).toBe(`installSessions({ ${option} }) must be a number of milliseconds above 0, not ${value}`);
  });

  it.each(['storageTimeout', 'queueTimeout', 'holdTimeout'] as const)('%s past the longest Node timer (2^31 - 1 ms), which would fire after 1 ms', (option) => {
    expect(configError(install(spec, { [option]: 2 ** 31 }))).toBe(
      `installSessions({ ${option} }) must be at most 2147483647 milliseconds (about 24.8 days, the longest Node timer), not 2147483648`,
    );
    expect(() => install(spec, { [option]: 2 ** 31 - 1 })).not.toThrow();
  });

  it('concurrency: serialize on a storage declared memory is refused, as validate refuses it', () => {
    const definition = { ...VisitSessionProvider.definition, concurrency: 'serialize' } as const;
    expect(configError(install(specWith(definition)))).toBe(
      'session "visit": concurrency: serialize needs a lock shared by every process, which a memory storage does not have (requests in one process take turns without it); remove concurrency, or use a redis storage in sessions.yaml',
    );
  });

  it('concurrency: serialize on a storage declared redis, given an instance without locks, is refused naming the storage', () => {
    const definition = { ...VisitSessionProvider.definition, concurrency: 'serialize' } as const;
    const redisSpec = specWith(definition, { mem: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' } });
    expect(configError(install(redisSpec, { storages: { mem: new MemoryStorage({ maxEntries: 10 }) } }))).toBe(
      'session "visit" has concurrency: serialize, but the instance passed for storage "mem" has no lock shared by processes (lock, renewLock and unlock, which RedisStorage has); pass a RedisStorage, or remove concurrency from the session in sessions.yaml',
    );
  });

  it('index: and revocation: on hand-written definitions are judged as validate judges them, the runtime naming the session', () => {
    const indexed = { ...VisitSessionProvider.definition, index: ['count'] };
    expect(configError(install(specWith(indexed)))).toBe(
      'session "visit": index names count, which is type: integer in the current schema; it must be a string (type: string), like a user id; fix it in sessions.yaml',
    );
    const revoked = { ...NoteSessionProvider.definition, revocation: { storage: 'redis', key: ['text'], recheck: 60, onStoreDown: 'deny' } } as const;
    expect(configError(install(specWith(revoked)))).toBe(
      'session "note": revocation.storage names storage "redis", which storages: does not declare; declare it, or name a declared one; fix it in sessions.yaml',
    );
    expect(() => install(specWith({ ...revoked, revocation: { ...revoked.revocation, storage: 'mem' } }))()).not.toThrow();
  });

  it('an index through a $ref its schema does not define is refused: gen always copies the shared types a schema reaches into its $defs', () => {
    const schema = { type: 'object', properties: { user: { $ref: '#/$defs/User' } }, required: ['user'], additionalProperties: false };
    // ajv cannot compile such a schema, so the validator is one written by hand too.
    const definition: SessionDefinition<unknown> = { ...VisitSessionProvider.definition, index: ['user', 'id'], schema, validate: () => true };
    const providers = [
      class DanglingSessionProvider extends SessionProvider<unknown> {
        static readonly definition = definition;
      },
    ];
    expect(configError(install({ ...spec, providers }))).toBe(
      'session "visit": index names user.id, which the current schema cannot hold: user is a $ref to "#/$defs/User", which the payload\'s schema does not define; name a required string field of the payload, like userId, outside lists, maps and unions; fix it in sessions.yaml',
    );
  });

  it('warns once about memory storage in production', () => {
    const warnings: string[] = [];
    createSessionsMiddleware(spec, { keys: { main: generateKey() }, env: { NODE_ENV: 'production' }, logger: { warn: (message) => warnings.push(message) } });
    expect(warnings).toEqual(['memory session storage in production: sessions are lost on restart and not shared between processes']);
  });
});
