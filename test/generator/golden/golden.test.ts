/**
 * Golden files: the fixture spec (test/fixtures/typecheck/golden/sessions.yaml) generated through the
 * generator's entry and compared byte for byte with the committed output in expected/. A difference fails;
 * after an intended change, review and rewrite them with `UPDATE_GOLDEN=1 npx vitest run test/generator/golden`.
 * (The fixture lives under test/fixtures/typecheck/, which the main tsconfig leaves out: its generated file
 * augments Koa's context with its own SessionMap, which would clash with the demo app's.)
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOutput, compareOutput, generate, loadSpecFile, type GeneratedFiles } from '../../../generator/index.js';

const fixture = resolve(import.meta.dirname, '../../fixtures/typecheck/golden');
const expectedDir = join(fixture, 'expected');

async function generateFixture(): Promise<GeneratedFiles> {
  const loaded = await loadSpecFile(join(fixture, 'sessions.yaml'), 'sessions.yaml');
  if (!loaded.ok) throw new Error(`the golden fixture spec is invalid:\n${JSON.stringify(loaded.errors, null, 2)}`);
  return generate(loaded.model, { specDir: fixture, outDir: expectedDir });
}

describe('golden output', () => {
  it('matches the committed files byte for byte', async () => {
    const files = await generateFixture();
    if (process.env['UPDATE_GOLDEN'] === '1') {
      await applyOutput(expectedDir, files, await compareOutput(expectedDir, files));
    }
    const comparison = await compareOutput(expectedDir, files);
    expect(comparison.foreign).toEqual([]);
    for (const [file, text] of files) {
      // Compared as text first, so a failure shows a readable diff.
      expect(await readFile(join(expectedDir, file), 'utf8').catch(() => '(missing)'), file).toBe(text);
    }
    expect(comparison.files.filter((entry) => entry.status !== 'unchanged')).toEqual([]);
  });

  it('is the same on every run', async () => {
    const [first, second] = [await generateFixture(), await generateFixture()];
    expect([...second]).toEqual([...first]);
  });
});
