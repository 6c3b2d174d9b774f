/**
 * What an app sees of the generated code: the golden fixture's generated file (test/fixtures/typecheck/
 * golden/expected) compiled with the TypeScript compiler API together with small app files, each of which
 * must type-check cleanly or fail with exactly the expected diagnostic.
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const fixture = join(repo, 'test/fixtures/typecheck/golden');
// App files exist only in memory, but sit inside the repo so `koa` and `typed-sessions` resolve.
const appDir = join(fixture, 'app');

const PRELUDE = `import Koa from 'koa';
import { installSessions } from '../expected/index.js';
const app = new Koa();
app.use(installSessions());
`;

/** An app file whose middleware body is `body`. */
const handler = (body: string): string => `${PRELUDE}app.use(async (ctx) => {\n${body}\n});\n`;

const OK_APP = `${PRELUDE}import type { CookieOptions } from 'typed-sessions';
import type { CartItem, CartSession, Profile, SessionMap, UserSession } from '../expected/index.js';

app.use(async (ctx) => {
  const user: UserSession | undefined = ctx.sessions.get('user');
  const city: string | undefined = user?.profile.home?.city;
  const nickname: string | null | undefined = user?.profile.nickname;
  const flags: Record<string, boolean | number | null> | undefined = user?.flags;
  const item: CartItem = { sku: 'a-1', qty: 2, price: { cents: 250, currency: 'EUR' } };
  ctx.sessions.set('cart', { items: [item], coupon: { code: 'TEN', off: { cents: 10, currency: 'USD' } }, notes: { gift: true, to: 'Ann' } });
  const prefs = ctx.sessions.getOrSet('prefs', () => ({ theme: null, pinned: { home: ['a'] } }));
  const theme: 'light' | 'dark' | null = prefs.theme;
  ctx.sessions.set('flash', { messages: ['saved', { kind: 'notice', text: 'hi', level: 3 }] });
  ctx.sessions.set('api_token', { scopes: ['read'], client: null });
  // uploads is load: lazy: loaded when asked, typed like get.
  const uploads: { readonly pending?: number } | undefined = await ctx.sessions.load('uploads');
  ctx.sessions.clear('uploads');
  // Read-only payloads: changed through update (on a mutable copy), or set from a spread of what get returned.
  ctx.sessions.update('cart', (cart) => {
    cart.items.push(item);
  });
  if (user) ctx.sessions.set('user', { ...user, userId: 'u2' });
  // The generated types are read-only themselves, so a variable of one takes what get returns, arrays included.
  const cart: CartSession | undefined = ctx.sessions.get('cart');
  const items: readonly CartItem[] = cart?.items ?? [];
  if (cart) ctx.sessions.set('cart', { ...cart, items: [...items, item] });
  ctx.sessions.set('flash', { messages: [] }, { persistent: true, maxAge: 3600 });
  ctx.sessions.set('uploads', { pending: 1 }, { persistent: false });
  const remember: CookieOptions = { persistent: true };
  ctx.sessions.set('account', { userId: 'u' }, remember);
  await ctx.sessions.regenerate('cart');
  await ctx.sessions.regenerate('api_token');
  // Flash values: set for a later request, read once; the getter gives the declared type or undefined.
  ctx.sessions.flash('user', 'notice', 'Saved');
  ctx.sessions.flash('user', 'errors', ['name is taken']);
  ctx.sessions.flash('cart', 'added', item);
  const notice: string | undefined = ctx.sessions.flashed('user', 'notice');
  const errors: readonly string[] | undefined = ctx.sessions.flashed('user', 'errors');
  const added: CartItem | undefined = ctx.sessions.flashed('cart', 'added');
  const profile: Profile | undefined = user?.profile;
  const names: Array<keyof SessionMap> = ['user', 'cart', 'prefs', 'flash', 'api_token', 'uploads'];
  ctx.body = { city, nickname, flags, theme, profile, names, uploads, notice, errors, added };
});
`;

const FAILING_APPS: ReadonlyArray<{ name: string; body: string; want: number }> = [
  {
    name: 'wrong property type on set',
    body: "ctx.sessions.set('user', { userId: 1, profile: { displayName: 'a', nickname: null } });",
    want: 2322,
  },
  { name: 'unknown property on set', body: "ctx.sessions.set('flash', { messages: [], extra: true });", want: 2353 },
  { name: 'missing required property on set', body: "ctx.sessions.set('cart', { items: [] });", want: 2345 },
  { name: 'enum value outside the enum', body: "ctx.sessions.set('prefs', { theme: 'blue' });", want: 2322 },
  {
    name: 'const value other than the const',
    body: "ctx.sessions.set('flash', { messages: [{ kind: 'alert', text: 'x' }] });",
    want: 2322,
  },
  {
    name: 'map value of the wrong type',
    body: "ctx.sessions.set('user', { userId: 'u', profile: { displayName: 'a', nickname: null }, flags: { beta: 'yes' } });",
    want: 2322,
  },
  {
    name: 'nullable treated as non-null',
    body: "const nickname: string = ctx.sessions.get('user')!.profile.nickname;",
    want: 2322,
  },
  { name: 'unknown session name on get', body: "ctx.sessions.get('users');", want: 2345 },
  { name: 'unknown session name on clear', body: "ctx.sessions.clear('nope');", want: 2345 },
  {
    name: 'reading a field the payload does not have',
    body: "ctx.body = ctx.sessions.get('user')?.email;",
    want: 2339,
  },
  { name: 'get may be undefined', body: "ctx.body = ctx.sessions.get('user').userId;", want: 2532 },
  { name: 'regenerate on a by-value session', body: "await ctx.sessions.regenerate('user');", want: 2345 },
  {
    name: 'changing an array of a payload from get in place',
    body: "ctx.sessions.get('cart')?.items.push({ sku: 'a-1', qty: 1, price: { cents: 1, currency: 'EUR' } });",
    want: 2339,
  },
  { name: 'a read-only array from get where a mutable one is wanted', body: "const items: Array<{ sku: string }> = ctx.sessions.get('cart')!.items;", want: 4104 },
  { name: 'assigning to a payload from get', body: "const user = ctx.sessions.get('user');\nif (user) user.userId = 'x';", want: 2540 },
  { name: 'a flash key the spec does not declare', body: "ctx.sessions.flash('user', 'alert', 'x');", want: 2345 },
  { name: 'a flash value of the wrong type', body: "ctx.sessions.flash('user', 'notice', 1);", want: 2345 },
  { name: 'flash on a session that declares none', body: "ctx.sessions.flash('prefs', 'notice', 'x');", want: 2345 },
  { name: 'reading a flash key the spec does not declare', body: "ctx.sessions.flashed('cart', 'notice');", want: 2345 },
  { name: 'the flash getter may be undefined', body: "const notice: string = ctx.sessions.flashed('user', 'notice');", want: 2322 },
  { name: 'changing a flash value in place', body: "ctx.sessions.flashed('user', 'errors')?.push('x');", want: 2339 },
  { name: 'a recipe returning the wrong shape', body: "ctx.sessions.update('prefs', () => ({ theme: 'blue' }));", want: 2322 },
  { name: 'cookie options on a header session', body: "ctx.sessions.set('api_token', { scopes: ['read'], client: null }, { persistent: true });", want: 2554 },
  {
    name: "cookie options on a cookie session in Ktor's format",
    body: "ctx.sessions.set('ktor_user', { userId: 'u' }, { persistent: true });",
    want: 2554,
  },
  { name: 'a cookie option of the wrong type', body: "ctx.sessions.set('flash', { messages: [] }, { maxAge: '1h' });", want: 2322 },
  { name: 'a misspelt cookie option', body: "ctx.sessions.set('flash', { messages: [] }, { maxage: 3600 });", want: 2561 },
];

const appFiles = new Map<string, string>([
  [join(appDir, 'ok.ts'), OK_APP],
  ...FAILING_APPS.map((app, index): [string, string] => [join(appDir, `failing-${index}.ts`), handler(app.body)]),
]);

let program: ts.Program;

function diagnosticsOf(file: string): readonly ts.Diagnostic[] {
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`${file} is not in the program`);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
}

function describeDiagnostics(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map(
    (diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
}

describe('generated types', () => {
  beforeAll(() => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(repo, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (config === undefined) throw new Error('cannot read tsconfig.json');
    const options = { ...config.options, noEmit: true };
    const host = ts.createCompilerHost(options, true);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (file) => appFiles.has(file) || fileExists.call(host, file);
    host.readFile = (file) => appFiles.get(file) ?? readFile.call(host, file);
    host.getSourceFile = (file, language, ...rest) => {
      const text = appFiles.get(file);
      return text === undefined
        ? getSourceFile.call(host, file, language, ...rest)
        : ts.createSourceFile(file, text, language, true);
    };
    program = ts.createProgram({ rootNames: [...appFiles.keys()], options, host });
  }, 60_000);

  it('the generated file and the app codec compile cleanly', () => {
    expect(describeDiagnostics(diagnosticsOf(join(fixture, 'expected/index.ts')))).toEqual([]);
    expect(describeDiagnostics(diagnosticsOf(join(fixture, 'codec.ts')))).toEqual([]);
  });

  it('an app using get, set (with cookie options on cookie sessions), clear, getOrSet, regenerate, flash and flashed compiles cleanly', () => {
    expect(describeDiagnostics(diagnosticsOf(join(appDir, 'ok.ts')))).toEqual([]);
  });

  it.each(FAILING_APPS.map((app, index) => ({ ...app, file: join(appDir, `failing-${index}.ts`) })))(
    '$name: TS$want',
    ({ file, want }) => {
      const diagnostics = diagnosticsOf(file);
      expect(
        diagnostics.map((diagnostic) => diagnostic.code),
        describeDiagnostics(diagnostics).join('\n'),
      ).toEqual([want]);
    },
  );
});
