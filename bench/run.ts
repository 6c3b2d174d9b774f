/**
 * `npm run bench`: typed-sessions against bare Koa and koa-session, per request, per operation and from a
 * cold process start to its first response, the generator's cost by spec size, and the cost, heap and
 * latency promises the test suite holds without a clock (bench/promises.ts). Prints Markdown
 * (docs/benchmarks.md shows a full run); exits 1 when a promise is blown up far past its bound.
 *
 *   npm run bench                      3 rounds, 2 s warm-up and 5 s measured per variant and round; 15 cold starts
 *   npm run bench -- --smoke           one short round (~1 s per variant), 3 cold starts: checks that the script works
 *   npm run bench -- --rounds 5 --duration 10 --connections 32
 *   npm run bench -- --only koa,encrypted --profile /tmp/prof    CPU profiles of the servers, top frames printed
 *
 * Needs `redis-server` on PATH (Debian's package); it is started on a free loopback port and stopped at the end.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKey } from '../runtime/keygen.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { runColdStart } from './cold-start.js';
import { runGeneratorCost } from './generator-cost.js';
import { runMacro } from './macro.js';
import { runMicro } from './micro.js';
import { blownUp, runPromises, type PromiseFigure } from './promises.js';
import { busiestProfile, formatTopFrames, topFrames } from './profile-top.js';
import { coldStartTable, generatorTable, macroTable, microTable, promiseTable, targets, targetTable } from './report.js';
import { BASELINE, VARIANTS, findVariant } from './variants.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
  strict: true,
});

const smoke = values.smoke === true;
const settings = {
  rounds: positive('rounds', values.rounds, smoke ? 1 : 3),
  warmup: positive('warmup', values.warmup, smoke ? 0.3 : 2),
  duration: positive('duration', values.duration, smoke ? 1 : 5),
  connections: positive('connections', values.connections, smoke ? 4 : 16),
  microMillis: smoke ? 50 : 1000,
  coldStarts: smoke ? 3 : 15,
  generatorSizes: smoke ? [] : [20, 200],
  promiseRounds: smoke ? 5 : 15,
};
const only = values.only?.split(',').map((name) => findVariant(name.trim()));
const variants = only === undefined ? VARIANTS : [BASELINE, ...only.filter((variant) => variant !== BASELINE)];

function positive(name: string, given: string | undefined, fallback: number): number {
  const value = given === undefined ? fallback : Number(given);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a number above 0, not ${given}`);
  return value;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const print = (text: string) => process.stdout.write(`${text}\n`);

await ensureBenchSpecGenerated();
print(`# typed-sessions benchmark${smoke ? ' (smoke: checks the script, not speed)' : ''}\n`);
print(await machine());
print(
  `\n${settings.rounds} round(s); per variant and round ${settings.warmup} s warm-up, then ${settings.duration} s measured; ` +
    `${settings.connections} keep-alive connections, each with its own session; GET /counter.\n`,
);

const key = generateKey();
// Before the servers of the request benchmark start, which would share the CPUs with every cold start.
const coldStart = await runColdStart(settings.coldStarts, key, log);
const redis = await startRedisServer();
let requestMicros: number | undefined;
let promises: PromiseFigure[];
try {
  const summaries = await runMacro({ variants, ...settings, log }, { key, redisUrl: redis.url, cpuProfileDir: values.profile });
  requestMicros = summaries[0]!.cpuMicrosPerRequest;
  print(`## Requests\n\n${macroTable(summaries)}\n\n## Targets\n\n${targetTable(targets(summaries, coldStart))}\n`);
  // After the request benchmark, whose servers would share the CPUs with these figures.
  log('promises: costs, heap and fault latencies');
  promises = await runPromises({ rounds: settings.promiseRounds, redisPort: redis.port });
} finally {
  await redis.stop();
}

print(
  `## Cold start\n\nA fresh process per start, to its first response; ${settings.coldStarts} run(s) of each, interleaved; plain JavaScript, no tsx.\n\n${coldStartTable(coldStart)}\n`,
);

print(`## Operations\n\n${microTable(runMicro(key, settings.microMillis), requestMicros)}\n`);
print(`## Generator and startup\n\n${generatorTable(await runGeneratorCost(settings.generatorSizes))}\n`);
print(
  `## Promises\n\nWhat the test suite holds by counting, measured: CPU-time ratios as medians of ${settings.promiseRounds} interleaved rounds; heap after a full GC; milliseconds to a 503.\n\n${promiseTable(promises)}\n`,
);

if (values.profile !== undefined) {
  print('## Profiles: top frames by self time, of the busy samples\n');
  for (const variant of variants) {
    const folder = join(values.profile, variant.name);
    const file = await busiestProfile((await readdir(folder)).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(folder, name)));
    if (file !== undefined) print(`\`\`\`\n${variant.name}: ${formatTopFrames(file, await topFrames(file, 25))}\n\`\`\`\n`);
  }
}

const blown = blownUp(promises);
if (blown.length > 0) {
  log(`blown up, far past the bound: ${blown.map(({ what }) => what).join('; ')}`);
  process.exitCode = 1;
}

/**
 * bench/generated/ must be what the generator makes of bench/sessions.yaml now: checked with `gen --check`
 * and regenerated when stale, except under CI, where stale committed output is an error.
 */
async function ensureBenchSpecGenerated(): Promise<void> {
  const args = ['--spec', 'bench/sessions.yaml', '--out', 'bench/generated'];
  if ((await cli(['gen', '--check', ...args])) === 0) return;
  if (process.env.CI === 'true') throw new Error('bench/generated/ is out of date with bench/sessions.yaml: run npm run bench locally and commit it');
  log('bench/generated/ was stale; regenerating it');
  if ((await cli(['gen', ...args])) !== 0) throw new Error('could not generate bench/generated/ from bench/sessions.yaml');
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

async function machine(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown CPU';
  // Other work on the machine shows here; ratios within a round are what survives it.
  const load = loadavg().map((value) => value.toFixed(1)).join(' ');
  return `Machine: ${availableParallelism()} CPUs (${model}), Node ${process.version}, ${process.platform} ${process.arch}; load average at start ${load}.`;
}
