/**
 * What the generator and a generated module cost, by spec size: wall time of `typed-sessions gen` (into an
 * empty folder) and `gen --check` (against that output), each a fresh process as a user runs it, and the
 * startup of an app: importing the generated module and calling `installSessions()`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticSpec } from './synthetic-spec.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'generator', 'cli.ts');
const PROBE = join(ROOT, 'bench', 'startup-probe.ts');
/** Node flags for the repo's TypeScript sources, as `npm run gen` runs them. */
const TS_SOURCE = ['--conditions=source', '--import', 'tsx'];

export interface GeneratorFigure {
  readonly spec: string;
  readonly sessions: number;
  readonly genMs: number;
  readonly checkMs: number;
  readonly importMs: number;
  readonly installMs: number;
}

/** `sizes`: synthetic specs to add to the repo's own sessions.yaml. */
export async function runGeneratorCost(sizes: readonly number[]): Promise<GeneratorFigure[]> {
  // Inside the package, so generated code resolves `typed-sessions/core` by self-reference; a dot folder,
  // so a type-check running meanwhile does not pick it up.
  const work = await mkdtemp(join(ROOT, 'bench', '.generator-cost-'));
  try {
    const specs = [{ spec: 'sessions.yaml (repo)', sessions: 2, file: join(ROOT, 'sessions.yaml') }];
    for (const size of sizes) {
      const file = join(work, `sessions-${size}.yaml`);
      await writeFile(file, syntheticSpec(size));
      specs.push({ spec: `synthetic, ${size} sessions`, sessions: size, file });
    }
    const figures: GeneratorFigure[] = [];
    for (const { spec, sessions, file } of specs) {
      const out = join(work, `out-${sessions}`);
      const genMs = await timed(process.execPath, [...TS_SOURCE, CLI, 'gen', '--spec', file, '--out', out]);
      const checkMs = await timed(process.execPath, [...TS_SOURCE, CLI, 'gen', '--check', '--spec', file, '--out', out]);
      const startup = JSON.parse(await output(process.execPath, [...TS_SOURCE, PROBE, join(out, 'index.ts')])) as { importMs: number; installMs: number };
      figures.push({ spec, sessions, genMs, checkMs, ...startup });
    }
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function timed(command: string, args: readonly string[]): Promise<number> {
  const start = performance.now();
  await output(command, args);
  return performance.now() - start;
}

/** Runs a command from the repo root; its stdout, or an error with its stderr when it fails. */
function output(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${args.slice(TS_SOURCE.length).join(' ')} exited ${code}:\n${stderr}`)),
    );
  });
}
