/**
 * Good specs through the generator's entry: the demo spec, defaults, durations, spec order, file reading.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../../generator/duration.js';
import { loadYaml } from '../../generator/load.js';
import type { SpecModel } from '../../generator/model.js';
import { SPEC_RULES } from '../../generator/rules.js';
import { loadSpecFile, loadSpecText } from '../../generator/spec.js';
import { viewSpec } from '../../generator/spec-view.js';
import { demoModel } from './demo-model.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const demoSpec = join(root, 'sessions.yaml');

function modelOf(text: string): SpecModel {
  const result = loadSpecText(text, 'config/sessions.yaml');
  if (!result.ok) throw new Error(result.errors.map((error) => `${error.line}:${error.col}: ${error.message}`).join('\n'));
  return result.model;
}

describe('the demo spec (sessions.yaml)', () => {
  it('loads clean and normalizes to the model the emitters are tested against', async () => {
    const result = await loadSpecFile(demoSpec, 'sessions.yaml');
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.model).toStrictEqual(demoModel);
  });

  it('has the fields that matter, spelled out', async () => {
    const result = await loadSpecFile(demoSpec, 'sessions.yaml');
    if (!result.ok) throw new Error('demo spec is invalid');
    const { model } = result;
    expect(model.specFileName).toBe('sessions.yaml');
    expect(model.keys).toStrictEqual({
      main: { env: 'SESSION_KEYS' },
      ktor_sign: { env: 'KTOR_SIGN_KEY', encoding: 'hex' },
    });
    expect(model.storages).toStrictEqual({ mem: { kind: 'memory', maxEntries: 100000 } });
    expect(model.types.map((type) => type.name)).toEqual(['User', 'CartItem']);
    const [user, cart, , device] = model.sessions;
    expect(user).toMatchObject({ name: 'user', typeName: 'UserSession', providerName: 'UserSessionProvider' });
    expect(user?.transport).toMatchObject({ kind: 'cookie', name: 'USER_SESSION' });
    expect(user?.expiry).toEqual({ maxAge: 7 * 86400, idle: 30 * 60, rolling: true });
    for (const absent of ['storage', 'serializer', 'ktor', 'insecure']) expect(user).not.toHaveProperty(absent);
    expect(device).toMatchObject({ name: 'device', storage: 'mem', index: ['userId'], summary: [['agent']] });
    expect(device?.transport).toMatchObject({ kind: 'cookie', name: 'DEVICE_SESSION' });
    expect(cart).toMatchObject({ name: 'cart', typeName: 'CartSession', storage: 'mem', transforms: [] });
    expect(cart?.transport).toEqual({ kind: 'header', name: 'X-Cart-Session' });
    expect(cart?.expiry).toEqual({ maxAge: 86400, idle: 2 * 3600, rolling: false });
    expect(cart?.schema).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/types/CartItem' }, maxItems: 50 } },
      required: ['items'],
      additionalProperties: false,
    });
  });

  it.each(SPEC_RULES)('does not trip the rule against $refuses', async (rule) => {
    const loaded = loadYaml(await readFile(demoSpec, 'utf8'), 'sessions.yaml');
    if (!loaded.ok) throw new Error('demo spec is not YAML');
    expect(rule.check(viewSpec(loaded.source))).toEqual([]);
  });

  it('points editors at the shipped spec schema', async () => {
    const firstLine = (await readFile(demoSpec, 'utf8')).split('\n')[0] ?? '';
    const schemaPath = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)?.[1];
    expect(schemaPath).toBe('./generator/spec-schema.json');
    const schema = JSON.parse(await readFile(join(root, schemaPath ?? ''), 'utf8')) as { $schema: string };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });
});

describe('defaults', () => {
  const model = modelOf(`
version: 1
keys:
  main: { env: SESSION_KEYS }
storages:
  mem: { kind: memory }
  shared: { kind: redis, url: { env: REDIS_URL } }
  files: { kind: directory, path: .sessions }
sessions:
  shopping_cart:
    transform: [{ sign: main }, { encrypt: main }]
    schema: { type: object, additionalProperties: false }
  api:
    transport: header
    storage: shared
    schema: { type: object, additionalProperties: false }
`);

  it('fills in every session default', () => {
    expect(model.sessions[0]).toStrictEqual({
      name: 'shopping_cart',
      transport: {
        kind: 'cookie',
        name: 'shopping_cart',
        cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: false },
      },
      transforms: [
        { kind: 'sign', keys: 'main' },
        { kind: 'encrypt', keys: 'main' },
      ],
      expiry: { maxAge: 604800, rolling: false },
      typeName: 'ShoppingCartSession',
      providerName: 'ShoppingCartSessionProvider',
      schema: { type: 'object', additionalProperties: false },
    });
  });

  it('gives header sessions no cookie settings', () => {
    expect(model.sessions[1]).toMatchObject({ transport: { kind: 'header', name: 'api' }, storage: 'shared', transforms: [] });
    expect(model.sessions[1]?.transport).not.toHaveProperty('cookie');
  });

  it('fills in storage defaults', () => {
    expect(model.storages).toStrictEqual({
      mem: { kind: 'memory', maxEntries: 100000 },
      shared: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' },
      files: { kind: 'directory', path: '.sessions', maxEntries: 10000 },
    });
  });

  it('names the spec file without its folders', () => {
    expect(model.specFileName).toBe('sessions.yaml');
  });
});

describe('everything written out', () => {
  const spec = `
version: 1
keys:
  main: { env: SESSION_KEYS }
types:
  Zone: { type: string, enum: [eu, us] }
  Address:
    type: object
    properties: { zone: { $ref: "#/types/Zone" }, note: { type: [string, "null"] } }
    additionalProperties: false
sessions:
  zeta:
    transport: cookie
    name: __Host-zeta
    serializer: { module: ../src/codec.js, export: zetaCodec }
    transform: [{ encrypt: main }]
    cookie: { path: /, httpOnly: false, secure: true, sameSite: none, partitioned: true, priority: high, persistent: true, chunked: true }
    expiry: { maxAge: 400d, idle: 12h, rolling: true }
    schema:
      type: object
      properties:
        "2fa": { type: boolean }
        address: { $ref: "#/types/Address" }
        tags: { type: object, additionalProperties: { type: string, maxLength: 20 } }
        code: { type: string, pattern: "^[a-z]+$", format: uuid }
      required: [address]
      additionalProperties: false
  alpha:
    insecure: true
    cookie: { domain: example.com, path: /app, secure: false }
    schema: { $ref: "#/types/Address" }
`;
  const model = modelOf(spec);

  it('keeps every setting', () => {
    expect(model.sessions[0]).toMatchObject({
      transport: {
        kind: 'cookie',
        name: '__Host-zeta',
        cookie: { path: '/', httpOnly: false, secure: true, sameSite: 'none', partitioned: true, priority: 'high', persistent: true, chunked: true },
      },
      serializer: { module: '../src/codec.js', export: 'zetaCodec' },
      expiry: { maxAge: 400 * 86400, idle: 12 * 3600, rolling: true },
    });
    expect(model.sessions[1]).toMatchObject({
      insecure: true,
      transforms: [],
      transport: { cookie: { path: '/app', domain: 'example.com', httpOnly: true, secure: false, sameSite: 'lax', partitioned: false, persistent: false } },
    });
  });

  it('keeps spec order for sessions and types', () => {
    expect(model.sessions.map((session) => session.name)).toEqual(['zeta', 'alpha']);
    expect(model.types.map((type) => type.name)).toEqual(['Zone', 'Address']);
  });

  it('keeps payload schemas exactly as written, $ref included', () => {
    const written = parse(spec) as { sessions: { zeta: { schema: unknown } } };
    expect(model.sessions[0]?.schema).toEqual(written.sessions.zeta.schema);
    expect(model.sessions[1]?.schema).toEqual({ $ref: '#/types/Address' });
    expect(model.types[1]?.schema).toEqual({
      type: 'object',
      properties: { zone: { $ref: '#/types/Zone' }, note: { type: ['string', 'null'] } },
      additionalProperties: false,
    });
  });
});

describe('accepted on purpose', () => {
  it.each([
    ['rolling without idle', 'expiry: { rolling: true }'],
    ['insecure: true on a by-value session without transforms', 'cookie: { sameSite: strict }'],
    ['a __Secure- name with secure: true', 'name: __Secure-s\n    cookie: { secure: true }'],
    ['idle just under maxAge', 'expiry: { maxAge: 1h, idle: 59m }'],
  ])('%s', (_, fields) => {
    const result = loadSpecText(
      `version: 1\nsessions:\n  s:\n    insecure: true\n    ${fields}\n    schema: { type: object, additionalProperties: false }\n`,
      'sessions.yaml',
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('YAML anchors and merge keys, to share settings between sessions', () => {
    const model = modelOf(`
version: 1
keys:
  main: { env: SESSION_KEYS }
sessions:
  user:
    transform: &sealed [{ encrypt: main }]
    cookie: &strict { sameSite: strict, secure: true }
    schema: { type: object, additionalProperties: false }
  admin:
    transform: *sealed
    cookie: { <<: *strict, path: /admin }
    schema: { type: object, additionalProperties: false }
`);
    expect(model.sessions[1]).toMatchObject({
      transforms: [{ kind: 'encrypt', keys: 'main' }],
      transport: { cookie: { sameSite: 'strict', secure: true, path: '/admin' } },
    });
  });

  it('a cookie and a header may share a name', () => {
    const result = loadSpecText(
      `version: 1
sessions:
  a: { name: sid, insecure: true, schema: { type: object, additionalProperties: false } }
  b: { name: sid, transport: header, insecure: true, schema: { type: object, additionalProperties: false } }
`,
      'sessions.yaml',
    );
    expect(result.ok).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    ['2w', 1209600],
    ['400d', 34560000],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['0s', '07d', '7', '7y', '0w', '1.5h', ' 7d', '7d ', '7D', '-1d', ''])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('is not a number', () => {
    expect(parseDuration(7)).toBeUndefined();
  });

  it('reaches the model in seconds', () => {
    const model = modelOf(
      'version: 1\nsessions:\n  s: { insecure: true, expiry: { maxAge: 90m, idle: 45s }, schema: { type: object, additionalProperties: false } }\n',
    );
    expect(model.sessions[0]?.expiry).toEqual({ maxAge: 5400, idle: 45, rolling: false });
  });

  it.each([
    ['5m', { touchAfter: 300 }],
    ['0', { touchAfter: 0 }],
  ])('touchAfter %s reaches the model in seconds, after idle', (written, want) => {
    const model = modelOf(
      `version: 1\nsessions:\n  s: { insecure: true, expiry: { maxAge: 2w, idle: 1h, touchAfter: ${written} }, schema: { type: object, additionalProperties: false } }\n`,
    );
    const expiry = model.sessions[0]?.expiry;
    expect(expiry).toEqual({ maxAge: 1_209_600, idle: 3600, ...want, rolling: false });
    expect(Object.keys(expiry!)).toEqual(['maxAge', 'idle', 'touchAfter', 'rolling']);
  });
});

describe('loadSpecFile', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'typed-sessions-spec-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('names the display path in errors', async () => {
    const path = join(folder, 'bad.yaml');
    await writeFile(path, 'version: 1\nsessions:\n  user:\n    transport: cokie\n    insecure: true\n    schema: { type: object, additionalProperties: false }\n');
    const result = await loadSpecFile(path, 'specs/bad.yaml');
    expect(result).toMatchObject({
      ok: false,
      errors: [{ file: 'specs/bad.yaml', line: 4, col: 16, message: 'sessions.user.transport must be "cookie" or "header" (got "cokie")' }],
    });
  });

  it('reports a missing file as one error at 1:1, under the path it was given', async () => {
    const path = join(folder, 'missing.yaml');
    expect(await loadSpecFile(path)).toEqual({
      ok: false,
      errors: [{ file: path, line: 1, col: 1, message: 'cannot read the spec: no such file; create it, or pass its path with --spec' }],
      source: '',
    });
  });

  it('reports a folder as one error at 1:1', async () => {
    expect(await loadSpecFile(folder, 'sessions.yaml')).toEqual({
      ok: false,
      errors: [{ file: 'sessions.yaml', line: 1, col: 1, message: 'cannot read the spec: it is a directory; pass the YAML file itself with --spec' }],
      source: '',
    });
  });
});
