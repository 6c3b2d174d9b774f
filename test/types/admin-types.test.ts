/**
 * What `gen` makes of `index:` and `revocation:` for the compiler (docs/spec.md): `installSessions()` returns
 * the middleware with `.admin` typed by session, each index: session's listing with its summary typed from
 * the `summary:` paths, and a revocation: session offering revokeAll only.
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

describe('admin types', () => {
  let folder: SpecFolder;
  beforeAll(async () => {
    folder = await specFolder('admin-types-');
    await folder.generate('app', SPEC);
    await writeFile(join(folder.path, 'app', 'app.ts'), APP);
    await writeFile(join(folder.path, 'app', 'misuse.ts'), MISUSE);
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
});
