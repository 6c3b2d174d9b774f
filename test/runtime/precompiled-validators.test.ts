/**
 * The validators `gen` compiles, served by a generated app in a child process that cannot generate code
 * (`node --disallow-code-generation-from-strings`): a spec using every keyword and every format of the
 * payload schema subset (docs/spec.md) is generated through the CLI, and good and bad payloads of each are
 * set and read back over HTTP. Koa needs http-errors 2 under that flag (test/support/http-errors-2.cjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../generator/index.js';
import { cookieValue, putJson } from './server.js';

const repo = resolve(import.meta.dirname, '../..');

const ITEM = {
  title: 'Item',
  description: 'One line of an order.',
  type: 'object',
  properties: { sku: { type: 'string', minLength: 1 }, qty: { type: 'integer', minimum: 1 } },
  required: ['sku', 'qty'],
  additionalProperties: false,
};
const TREE = {
  type: 'object',
  properties: { children: { type: 'array', items: { $ref: '#/types/Tree' } } },
  required: ['children'],
  additionalProperties: false,
};

interface Field {
  readonly schema: object;
  readonly good: readonly unknown[];
  /** A value, the JSON Pointer that fails, and the rest of the message. */
  readonly bad: ReadonlyArray<readonly [value: unknown, path: string, detail: string]>;
}

/** Every keyword of the subset: `type` (each, and a list), value keywords, `enum`, `const`, unions, `$ref`, maps, `title` and `description`. */
const KEYWORDS: Readonly<Record<string, Field>> = {
  text: {
    schema: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
    good: ['ab', 'abcde'],
    bad: [
      ['a', '/text', 'must NOT have fewer than 2 characters'],
      ['abcdef', '/text', 'must NOT have more than 5 characters'],
      ['AB', '/text', 'must match pattern "^[a-z]+$"'],
      [1, '/text', 'must be string'],
    ],
  },
  // Lengths count code points: one emoji is one character, though two UTF-16 units.
  glyph: { schema: { type: 'string', maxLength: 1 }, good: ['\u{1F600}'], bad: [['\u{1F600}\u{1F600}', '/glyph', 'must NOT have more than 1 characters']] },
  count: {
    schema: { type: 'integer', minimum: 1, maximum: 10 },
    good: [1, 10],
    bad: [
      [0, '/count', 'must be >= 1'],
      [11, '/count', 'must be <= 10'],
      [1.5, '/count', 'must be integer'],
      ['1', '/count', 'must be integer'],
    ],
  },
  ratio: {
    schema: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 },
    good: [0.25, 0.75],
    bad: [
      [0, '/ratio', 'must be > 0'],
      [1, '/ratio', 'must be < 1'],
      [0.3, '/ratio', 'must be multiple of 0.25'],
    ],
  },
  flag: { schema: { type: 'boolean' }, good: [true, false], bad: [['true', '/flag', 'must be boolean']] },
  nothing: { schema: { type: 'null' }, good: [null], bad: [[0, '/nothing', 'must be null']] },
  maybe: { schema: { type: ['string', 'null'] }, good: ['x', null], bad: [[1, '/maybe', 'must be string,null']] },
  role: { schema: { enum: ['admin', 'member'] }, good: ['admin'], bad: [['root', '/role', 'must be equal to one of the allowed values (admin, member)']] },
  shape: {
    schema: { enum: [{ a: 1 }, [1, 2], 3] },
    good: [{ a: 1 }, [1, 2], 3],
    bad: [
      [{ a: 2 }, '/shape', 'must be equal to one of the allowed values ({"a":1}, [1,2], 3)'],
      [{ toString: 'a' }, '/shape', 'must be equal to one of the allowed values ({"a":1}, [1,2], 3)'],
    ],
  },
  fixed: {
    schema: { const: { a: [1] } },
    good: [{ a: [1] }],
    bad: [
      [{ a: [2] }, '/fixed', 'must be equal to constant ({"a":[1]})'],
      // ajv's own deep equality (fast-deep-equal) throws on a `valueOf` that is data: a 500, not a schema failure.
      [{ valueOf: 1 }, '/fixed', 'must be equal to constant ({"a":[1]})'],
    ],
  },
  answer: { schema: { const: 42 }, good: [42], bad: [[41, '/answer', 'must be equal to constant (42)']] },
  tags: {
    schema: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, uniqueItems: true },
    good: [['a', 'b']],
    bad: [
      [[], '/tags', 'must NOT have fewer than 1 items'],
      [['a', 'b', 'c', 'd'], '/tags', 'must NOT have more than 3 items'],
      [['a', 'a'], '/tags', 'must NOT have duplicate items (items ## 1 and 0 are identical)'],
      [[1], '/tags/0', 'must be string'],
    ],
  },
  lines: {
    schema: { type: 'array', items: { $ref: '#/types/Item' }, uniqueItems: true },
    good: [[{ sku: 'a', qty: 1 }, { sku: 'b', qty: 1 }]],
    bad: [
      // Objects are compared with the vendored deep equality, key order aside.
      [[{ sku: 'a', qty: 1 }, { qty: 1, sku: 'a' }], '/lines', 'must NOT have duplicate items (items ## 0 and 1 are identical)'],
      [[{ sku: 'a', qty: 0 }], '/lines/0/qty', 'must be >= 1'],
      [[{ sku: 'a' }], '/lines/0', "must have required property 'qty'"],
      [[{ sku: 'a', qty: 1, note: 'x' }], '/lines/0', 'must NOT have additional properties (note)'],
    ],
  },
  scores: { schema: { type: 'object', additionalProperties: { type: 'integer' } }, good: [{ a: 1 }, {}], bad: [[{ a: '1' }, '/scores/a', 'must be integer']] },
  either: { schema: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, good: ['x', 1], bad: [[true, '/either', 'must be string']] },
  exactly: { schema: { oneOf: [{ type: 'number' }, { type: 'integer' }] }, good: [1.5], bad: [[1, '/exactly', 'must match exactly one schema in oneOf']] },
  any: { schema: { anyOf: [{ type: 'string', maxLength: 1 }, { type: 'boolean' }] }, good: ['x', false], bad: [['xy', '/any', 'must NOT have more than 1 characters']] },
  item: { schema: { $ref: '#/types/Item' }, good: [{ sku: 'a', qty: 2 }], bad: [[{ sku: '', qty: 2 }, '/item/sku', 'must NOT have fewer than 1 characters']] },
  tree: {
    schema: { $ref: '#/types/Tree' },
    good: [{ children: [{ children: [] }] }],
    bad: [[{ children: [{}] }, '/tree/children/0', "must have required property 'children'"]],
  },
  described: { schema: { title: 'Described', description: 'Only a string.', type: 'string' }, good: ['x'], bad: [[1, '/described', 'must be string']] },
};

const stringFormat = (format: string) => ({ type: 'string', format });
const numberFormat = (format: string) => ({ type: 'number', format });

/** Every format of the subset (every format of ajv-formats), with a value it accepts and, where it refuses any, one it refuses. */
const FORMATS: Readonly<Record<string, readonly [schema: object, good: unknown, bad?: unknown]>> = {
  date: [stringFormat('date'), '2024-02-29', '2023-02-29'],
  time: [stringFormat('time'), '23:59:60Z', '12:34:56'],
  'date-time': [stringFormat('date-time'), '2024-01-01T12:00:00+01:00', '2024-01-01T25:00:00Z'],
  'iso-time': [stringFormat('iso-time'), '12:34:56', '24:00:00'],
  'iso-date-time': [stringFormat('iso-date-time'), '2024-01-01T12:00:00', '2024-13-01T12:00:00'],
  duration: [stringFormat('duration'), 'P1DT2H', 'P'],
  uri: [stringFormat('uri'), 'https://example.com/a?b#c', 'relative/path'],
  'uri-reference': [stringFormat('uri-reference'), '../a?b#c', 'a b'],
  'uri-template': [stringFormat('uri-template'), 'https://example.com/{id}', 'https://example.com/{id'],
  url: [stringFormat('url'), 'https://example.com/a', 'example.com'],
  email: [stringFormat('email'), 'ada@example.com', 'ada@'],
  hostname: [stringFormat('hostname'), 'example.com', '-example.com'],
  ipv4: [stringFormat('ipv4'), '192.168.0.1', '256.0.0.1'],
  ipv6: [stringFormat('ipv6'), '2001:db8::1', '2001:db8::g'],
  regex: [stringFormat('regex'), '^a+$', '('],
  uuid: [stringFormat('uuid'), '123e4567-e89b-12d3-a456-426614174000', '123e4567'],
  'json-pointer': [stringFormat('json-pointer'), '/a/b~0', 'a'],
  'json-pointer-uri-fragment': [stringFormat('json-pointer-uri-fragment'), '#/a', '/a'],
  'relative-json-pointer': [stringFormat('relative-json-pointer'), '0/a', '/a'],
  byte: [stringFormat('byte'), 'aGk=', 'a!'],
  int32: [numberFormat('int32'), 2 ** 31 - 1, 2 ** 31],
  int64: [numberFormat('int64'), 2 ** 53 - 1, 1.5],
  float: [numberFormat('float'), 1.5],
  double: [numberFormat('double'), -1e300],
  password: [stringFormat('password'), 'anything'],
  binary: [stringFormat('binary'), '\u0000'],
};

const SPEC = {
  version: 1,
  storages: { mem: { kind: 'memory', maxEntries: 1000 } },
  types: { Item: ITEM, Tree: TREE },
  sessions: {
    keywords: {
      storage: 'mem',
      schema: {
        type: 'object',
        properties: Object.fromEntries(Object.entries(KEYWORDS).map(([name, field]) => [name, field.schema])),
        required: ['text'],
        additionalProperties: false,
      },
    },
    formats: {
      storage: 'mem',
      schema: {
        type: 'object',
        properties: Object.fromEntries(Object.entries(FORMATS).map(([name, [schema]]) => [name, schema])),
        additionalProperties: false,
      },
    },
  },
};

let dir: string;
let server: ChildProcess;
let url: string;
let stderr = '';

beforeAll(async () => {
  // Inside the repo (tmp/ is git-ignored), so the generated module resolves koa and typed-sessions.
  await mkdir(join(repo, 'tmp'), { recursive: true });
  dir = await mkdtemp(join(repo, 'tmp', 'precompiled-'));
  await writeFile(join(dir, 'sessions.yaml'), JSON.stringify(SPEC));
  const io = { cwd: dir, out: () => {}, err: (line: string) => (stderr += `${line}\n`) };
  expect(await runCli(['gen'], io), stderr).toBe(0);

  server = spawn(
    process.execPath,
    [
      '--disallow-code-generation-from-strings',
      '--require',
      join(repo, 'test/support/http-errors-2.cjs'),
      '--conditions=source',
      '--import',
      'tsx',
      join(repo, 'test/support/no-eval-server.ts'),
      join(dir, 'generated', 'index.ts'),
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((done, failed) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) done(Number(match[1]));
    });
    server.once('exit', (code) => failed(new Error(`the app exited with ${code} under --disallow-code-generation-from-strings:\n${stderr}`)));
  });
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  server?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Sets `payload` as `session`; for a valid one, reads it back with the session's cookie. */
async function setAndRead(session: string, payload: unknown): Promise<{ status: number; body: unknown }> {
  const set = await putJson(`${url}/${session}`, payload);
  if (set.status !== 204) return { status: set.status, body: await set.json() };
  const read = await fetch(`${url}/${session}`, { headers: { cookie: `${session}=${cookieValue(set, session)}` } });
  return { status: read.status, body: await read.json() };
}

const BASE = { text: 'ab' };

describe('generated validators, in a process that cannot generate code', () => {
  it('the generated validators import only the helpers of typed-sessions/validators', async () => {
    const validators = await readFile(join(dir, 'generated', 'validators.ts'), 'utf8');
    expect(validators).toContain("import { equal, formats, ucs2length } from 'typed-sessions/validators';");
    expect(validators).not.toMatch(/require\(|from 'ajv/);
    expect((await readdir(join(dir, 'generated'))).sort()).toEqual(['index.js', 'index.ts', 'validators.js', 'validators.ts']);
  });

  it('the runtime imports nothing from ajv or ajv-formats', async () => {
    const sources = (await readdir(join(repo, 'runtime'), { recursive: true })).filter((file) => file.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      const text = await readFile(join(repo, 'runtime', file), 'utf8');
      expect([...text.matchAll(/(?:from|import\()\s*'(ajv[^']*)'/g)].map((match) => match[1]), file).toEqual([]);
    }
  });

  it.each(Object.entries(KEYWORDS).flatMap(([name, field]) => field.good.map((value) => [name, value] as const)))(
    'keyword %s: %j is set and read back',
    async (name, value) => {
      const payload = { ...BASE, [name]: value };
      expect(await setAndRead('keywords', payload)).toEqual({ status: 200, body: { value: payload } });
    },
  );

  it.each(Object.entries(KEYWORDS).flatMap(([name, field]) => field.bad.map(([value, path, detail]) => [name, value, path, detail] as const)))(
    'keyword %s: %j is refused at %s: %s',
    async (name, value, path, detail) => {
      const body = { name: 'SessionValidationError', path, message: `session "keywords": payload ${path} ${detail}` };
      expect(await setAndRead('keywords', { ...BASE, [name]: value })).toEqual({ status: 422, body });
    },
  );

  it.each([
    [{ text: 'ab', extra: 1 }, 'must NOT have additional properties (extra)'],
    [{ count: 1 }, "must have required property 'text'"],
  ])('the payload object: %j is refused at the root: %s', async (payload, detail) => {
    const body = { name: 'SessionValidationError', path: '', message: `session "keywords": payload (root) ${detail}` };
    expect(await setAndRead('keywords', payload)).toEqual({ status: 422, body });
  });

  it.each(Object.entries(FORMATS).map(([format, [, good]]) => [format, good] as const))('format %s: %j is set and read back', async (format, good) => {
    expect(await setAndRead('formats', { [format]: good })).toEqual({ status: 200, body: { value: { [format]: good } } });
  });

  it.each(Object.entries(FORMATS).flatMap(([format, [, , bad]]) => (bad === undefined ? [] : [[format, bad] as const])))(
    'format %s: %j is refused',
    async (format, bad) => {
      const body = { name: 'SessionValidationError', path: `/${format}`, message: `session "formats": payload /${format} must match format "${format}"` };
      expect(await setAndRead('formats', { [format]: bad })).toEqual({ status: 422, body });
    },
  );
});
