/**
 * What `gen` makes of `index:` and `revocation:` for the compiler (docs/spec.md): `installSessions()` returns
 * the middleware with `.admin` typed by session, each index: session's listing with its summary typed from
 * the `summary:` paths, and a revocation: session offering revokeAll only. In a request, `ctx.sessions.list`,
 * `revoke` and `revokeOthers` take only the index: sessions and type the listing as the admin's, through the
 * generated Koa context or through `Sessions<..., SummaryMap>` written out.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFolder, type SpecFolder } from '../support/generated-spec.js';
import { typeCheck } from '../support/type-check.js';

const SPEC = `version: 1
augmentKoaContext: false
keys:
  main: { env: SESSION_KEYS }
storages:
  mem: { kind: memory, maxEntries: 100 }
sessions:
  account:
    storage: mem
    index: userId
    summary: [device, profile.name]
    schema:
      type: object
      properties:
        userId: { type: string }
        device: { type: string }
        profile: { type: object, properties: { name: { type: string } }, additionalProperties: false }
      required: [userId]
      additionalProperties: false
  cart:
    storage: mem
    schema: { type: object, properties: { userId: { type: string } }, required: [userId], additionalProperties: false }
  member:
    transform: [{ encrypt: main }]
    revocation: { storage: mem, key: userId, recheck: 5m }
    schema: { type: object, properties: { userId: { type: string } }, required: [userId], additionalProperties: false }
`;

const APP = `import { installSessions } from './generated/index.js';

const sessions = installSessions();
export async function devices(user: string): Promise<Array<string | undefined>> {
  const listed = await sessions.admin.account.list(user);
  await sessions.admin.account.revokeAll(user, { except: listed.map((entry) => entry.handle) });
  await sessions.admin.member.revokeAll(user);
  return listed.map((entry) => entry.summary.device ?? entry.summary['profile.name']);
}
`;

const MISUSE = `import { installSessions } from './generated/index.js';

const sessions = installSessions();
export async function misuse(): Promise<void> {
  const [first] = await sessions.admin.account.list('ada');
  first?.summary.userId;
  await sessions.admin.member.list('ada');
  await sessions.admin.cart.revokeAll('ada');
}
`;

// The context typed with the generated types written out, as a spec with augmentKoaContext: false does (docs/spec.md).
const CONTEXT = `import Koa from 'koa';
import type { Sessions } from 'typed-sessions';
import type { ByIdSessionName, CookieSessionName, SessionMap, SummaryMap } from './generated/index.js';

export type Context = Koa.ParameterizedContext<Koa.DefaultState, { sessions: Sessions<SessionMap, ByIdSessionName, Record<never, never>, CookieSessionName, SummaryMap> }>;
`;

const REQUEST = `import type { Context } from './context.js';

export async function devices(ctx: Context): Promise<Array<string | undefined>> {
  const listed = await ctx.sessions.list('account');
  const [first] = listed;
  const current: boolean | undefined = first?.current;
  const device: string | undefined = first?.summary.device;
  const name: string | undefined = first?.summary['profile.name'];
  const ended: number = await ctx.sessions.revokeOthers('account');
  const revoked: boolean = await ctx.sessions.revoke('account', first?.handle ?? '');
  return [device, name, String(current), String(ended), String(revoked)];
}
`;

const REQUEST_MISUSE = `import type { Context } from './context.js';

export async function misuse(ctx: Context): Promise<void> {
  const [first] = await ctx.sessions.list('account');
  first?.summary.userId;
  await ctx.sessions.list('cart');
  await ctx.sessions.revoke('member', 'handle');
  await ctx.sessions.revokeOthers('cart');
}
`;

// The same spec with Koa's context augmented (the default): every handler's ctx.sessions is typed.
const AUGMENTED = `import Koa from 'koa';
import { installSessions } from './generated/index.js';

const app = new Koa();
app.use(installSessions());
app.use(async (ctx) => {
  const [first] = await ctx.sessions.list('account');
  const device: string | undefined = first?.summary.device;
  first?.summary.userId;
  await ctx.sessions.revokeOthers('cart');
  ctx.body = device;
});
`;

describe('admin types', () => {
  let folder: SpecFolder;
  beforeAll(async () => {
    folder = await specFolder('admin-types-');
    await folder.generate('app', SPEC);
    await folder.generate('augmented', SPEC.replace('augmentKoaContext: false\n', ''));
    const files = { 'app/app.ts': APP, 'app/misuse.ts': MISUSE, 'app/context.ts': CONTEXT, 'app/request.ts': REQUEST, 'app/request-misuse.ts': REQUEST_MISUSE, 'augmented/app.ts': AUGMENTED };
    for (const [file, text] of Object.entries(files)) await writeFile(join(folder.path, file), text);
  }, 60_000);
  afterAll(() => folder?.remove());

  it("types installSessions().admin by session, each listing's summary from its summary: paths", () => {
    const dir = join(folder.path, 'app');
    expect(typeCheck([join(dir, 'generated/index.ts'), join(dir, 'app.ts')])).toEqual([[], []]);
  }, 60_000);

  it('refuses a summary field the spec does not select, a listing of a revocation session, and a session with no admin side', () => {
    const [diagnostics] = typeCheck([join(folder.path, 'app', 'misuse.ts')]);
    expect(diagnostics).toEqual([
      expect.stringMatching(/^TS2339: Property 'userId' does not exist on type 'AccountSessionSummary'/),
      expect.stringMatching(/^TS2339: Property 'list' does not exist on type 'RevocationAdmin'/),
      expect.stringMatching(/^TS2339: Property 'cart' does not exist on type 'SessionsAdmin'/),
    ]);
  }, 60_000);

  it("types ctx.sessions.list()'s summary from the summary: paths, as the admin's listing, with Sessions<..., SummaryMap> written out", () => {
    const dir = join(folder.path, 'app');
    expect(typeCheck([join(dir, 'context.ts'), join(dir, 'request.ts')])).toEqual([[], []]);
  }, 60_000);

  it('refuses in a request a summary field the spec does not select, and list, revoke or revokeOthers of a session without index:', () => {
    const [diagnostics] = typeCheck([join(folder.path, 'app', 'request-misuse.ts')]);
    expect(diagnostics).toEqual([
      expect.stringMatching(/^TS2339: Property 'userId' does not exist on type 'AccountSessionSummary'/),
      `TS2345: Argument of type '"cart"' is not assignable to parameter of type '"account"'.`,
      `TS2345: Argument of type '"member"' is not assignable to parameter of type '"account"'.`,
      `TS2345: Argument of type '"cart"' is not assignable to parameter of type '"account"'.`,
    ]);
  }, 60_000);

  it('types them the same through the generated Koa context', () => {
    const [diagnostics] = typeCheck([join(folder.path, 'augmented', 'app.ts')]);
    expect(diagnostics).toEqual([
      expect.stringMatching(/^TS2339: Property 'userId' does not exist on type 'AccountSessionSummary'/),
      `TS2345: Argument of type '"cart"' is not assignable to parameter of type '"account"'.`,
    ]);
  }, 60_000);
});
