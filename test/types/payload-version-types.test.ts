/**
 * What `gen` makes of payload versions for the compiler (docs/schema-evolution.md): a type per version,
 * exported, and each migration checked by `satisfies` against the types of its two versions, so a migration
 * returning the wrong shape is a compile error in the generated module, where it names the migration.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SPEC_V2 } from '../runtime/schema-evolution.js';
import { specFolder, type SpecFolder } from '../support/generated-spec.js';
import { typeCheck } from '../support/type-check.js';

/** An app that names each version's type, as a migration module or a test of one would. */
const APP = `import type { UserSession, UserSessionV1, UserSessionV2 } from './generated/index.js';
import { userV1toV2 } from './src/session-migrations.js';
const old: UserSessionV1 = { name: 'Ada' };
const current: UserSessionV2 = userV1toV2(old);
export const same: UserSession = current;
`;

/** The migration without the \`roles\` version 2 requires. */
const WRONG_MIGRATIONS = `export const userV1toV2 = (user: { readonly name: string }) => ({ displayName: user.name });\n`;

describe('payload version types', () => {
  let folder: SpecFolder;
  beforeAll(async () => {
    folder = await specFolder('payload-version-types-');
    await folder.generate('right', SPEC_V2, { 'src/session-migrations.ts': MIGRATIONS });
    await writeFile(join(folder.path, 'right', 'app.ts'), APP);
    await folder.generate('wrong', SPEC_V2, { 'src/session-migrations.ts': WRONG_MIGRATIONS });
  }, 60_000);
  afterAll(() => folder?.remove());

  it('a migration of the right shape compiles, and UserSessionV1 and V2 are exported for the app', () => {
    const dir = join(folder.path, 'right');
    expect(typeCheck([join(dir, 'generated/index.ts'), join(dir, 'app.ts')])).toEqual([[], []]);
  }, 60_000);

  it('a migration returning the wrong shape is a compile error in the generated module', () => {
    const [diagnostics] = typeCheck([join(folder.path, 'wrong', 'generated/index.ts')]);
    expect(diagnostics).toHaveLength(2);
    // Both sessions name the same migration; each `satisfies` refuses it for the missing property (TypeScript
    // prints the current version's alias, UserSessionV2, as UserSession).
    for (const diagnostic of diagnostics!) {
      expect(diagnostic).toMatch(/^TS1360: Type '\(user: \{ readonly name: string; \}\) => \{ displayName: string; \}' does not satisfy the expected type '\(payload: (User|Account)SessionV1\) => (User|Account)Session'/);
      expect(diagnostic).toContain("Property 'roles' is missing");
    }
  }, 60_000);
});
