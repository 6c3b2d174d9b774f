/**
 * bench/app/generated/ is what the repo's generator makes of bench/app/sessions.yaml: the type-check of
 * bench/app/ and the operations benchmark (bench/micro.ts) read it. The installed app generates its own copy
 * with the installed CLI (bench/installed-app.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Checks bench/app/generated/ with `gen --check` and regenerates it when stale, except under CI, where stale
 * committed output is an error.
 */
export async function ensureBenchSpecGenerated(log: (line: string) => void): Promise<void> {
  const args = ['--spec', 'bench/app/sessions.yaml', '--out', 'bench/app/generated'];
  if ((await cli(['gen', '--check', ...args])) === 0) return;
  if (process.env.CI === 'true') throw new Error('bench/app/generated/ is out of date with bench/app/sessions.yaml: run npm run bench locally and commit it');
  log('bench/app/generated/ was stale; regenerating it');
  if ((await cli(['gen', ...args])) !== 0) throw new Error('could not generate bench/app/generated/ from bench/app/sessions.yaml');
}

function cli(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(ROOT, 'generator', 'cli.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
