/**
 * `npm run bench`: typed-sessions against bare Koa, a hand-rolled AES-GCM cookie and koa-session, per request
 * and from a cold process start to its first response, all from the packages as a user installs them
 * (bench/installed-app.ts); then per operation, the generator's cost by spec size, and the cost, heap and
 * latency promises the test suite holds without a clock (bench/promises.ts). Prints Markdown
 * (docs/benchmarks.md shows a full run); exits 1 when a request failed under load or a promise is blown up
 * far past its bound.
 *
 *   npm run bench                      5 rounds, 2 s warm-up and 5 s measured per variant and round; 15 cold starts
 *   npm run bench -- --smoke           one short round, fewer sessions and cold starts: checks that the script works
 *   npm run bench -- --rounds 5 --duration 10 --connections 64 --sessions 2000
 *   npm run bench -- --only encrypted --profile /tmp/prof    CPU profiles of the servers, top frames printed
 *   npm run bench -- --only by-id-redis --requests-only       the request benchmark alone (no cold start, operations, generator or promises)
 *
 * Needs `wrk` and `redis-server` on PATH (Debian's packages), and `taskset` to pin (util-linux).
 */
import { readFile, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKey } from '../runtime/keygen.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { ensureBenchSpecGenerated } from './bench-spec.js';
import { COLD_START_FILES, runColdStart } from './cold-start.js';
import { runGeneratorCost } from './generator-cost.js';
import { prepareInstalledApp } from './installed-app.js';
import { runMacro } from './macro.js';
import { runMicro } from './micro.js';
import { pinCpus } from './pinning.js';
import { blownUp, runPromises, type PromiseFigure } from './promises.js';
import { busiestProfile, formatTopFrames, topFrames } from './profile-top.js';
import { coldStartTable, generatorTable, macroTable, microTable, promiseTable, roundTable, targetTable } from './report.js';
import { targets } from './targets.js';
import { VARIANTS, withBaselines } from './variants.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    sessions: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'string' },
    'requests-only': { type: 'boolean', default: false },
  },
  strict: true,
});
const requestsOnly = values['requests-only'] === true;

const smoke = values.smoke === true;
const settings = {
  rounds: whole('rounds', values.rounds, smoke ? 1 : 5, 1),
  // wrk takes whole seconds.
  warmup: whole('warmup', values.warmup, smoke ? 0 : 2, 0),
  duration: whole('duration', values.duration, smoke ? 1 : 5, 1),
  connections: whole('connections', values.connections, 50, 1),
  sessions: whole('sessions', values.sessions, smoke ? 100 : 1000, 1),
  microMillis: smoke ? 50 : 1000,
  coldStarts: smoke ? 2 : 15,
  generatorSizes: smoke ? [] : [20, 200],
  promiseRounds: smoke ? 5 : 15,
};
if (settings.sessions < settings.connections) {
  throw new Error(`--sessions ${settings.sessions} is below --connections ${settings.connections}: two requests in flight would share a session`);
}
// The servers run in the installed app's folder: a relative profile folder would land there, and go with it.
const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
const variants = values.only === undefined ? VARIANTS : withBaselines(values.only.split(',').map((name) => name.trim()));

function whole(name: string, given: string | undefined, fallback: number, least: number): number {
  const value = given === undefined ? fallback : Number(given);
  if (!(Number.isInteger(value) && value >= least)) throw new Error(`--${name} must be a whole number of at least ${least}, not ${given}`);
  return value;
}

const started = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
const print = (text: string) => process.stdout.write(`${text}\n`);

print(`# typed-sessions benchmark${smoke ? ' (smoke: checks the script, not speed)' : ''}\n`);
print(await machine());
// Side by side and before pinning: building, installing and generating use both CPUs.
const [installed, specChecked] = await Promise.allSettled([prepareInstalledApp(COLD_START_FILES, log), ensureBenchSpecGenerated(log)]);
if (specChecked.status === 'rejected') {
  if (installed.status === 'fulfilled') await installed.value.remove();
  throw specChecked.reason;
}
if (installed.status === 'rejected') throw installed.reason;
const app = installed.value;
const cpus = pinCpus();
print(`Installed from the tarballs into ${app.folder}: ${app.versions}. Servers run as plain JavaScript (\`node\`, NODE_ENV=production).`);
print(cpus.description);
print(
  `\n${settings.rounds} round(s); per variant and round ${settings.warmup} s warm-up, then ${settings.duration} s measured; wrk -t1 -c${settings.connections} ` +
    `(keep-alive); ${settings.sessions.toLocaleString('en-US')} distinct sessions per variant that keeps one, taken round-robin; GET /counter.\n`,
);

const key = generateKey();
const redis = await startRedisServer({ launcher: cpus.load });
let requestMicros: number | undefined;
let promises: PromiseFigure[];
let failures: readonly string[];
try {
  // Before the request benchmark's servers start, which would sit on the server CPU beside every cold start.
  const coldStart = requestsOnly ? [] : await runColdStart({ runs: settings.coldStarts, app: app.folder, key, redisUrl: redis.url, pin: cpus.server, log });
  const result = await runMacro(
    { variants, ...settings, loadPin: cpus.load, loadCpu: cpus.loadCpu, log },
    { app: app.folder, pin: cpus.server, key, redisUrl: redis.url, cpuProfileDir: profileDir },
  );
  failures = result.failures;
  requestMicros = result.summaries[0]!.cpuMicrosPerRequest;
  print(`## Requests\n\n${macroTable(result.summaries)}\n\n### Rounds\n\n${roundTable(result.rounds)}\n`);
  print(`## Targets\n\n${targetTable(targets(result.summaries, coldStart))}\n`);
  if (failures.length > 0) print(`## Failures (the run fails)\n\n${failures.map((failure) => `- ${failure}`).join('\n')}\n`);
  if (!requestsOnly) print(
    `## Cold start\n\nA fresh process per start, to its first response, and its peak RSS (VmHWM) then; ${settings.coldStarts} run(s) of each, interleaved; ` +
      `plain JavaScript from the installed app.\n\n${coldStartTable(coldStart)}\n`,
  );
  // After the request benchmark, whose servers would share the CPUs with these figures.
  if (!requestsOnly) log('promises: costs, heap and fault latencies');
  promises = requestsOnly ? [] : await runPromises({ rounds: settings.promiseRounds, redisPort: redis.port });
} finally {
  await redis.stop();
  await app.remove();
}

if (!requestsOnly) {
  print(`## Operations\n\n${microTable(runMicro(key, settings.microMillis), requestMicros)}\n`);
  print(`## Generator and startup\n\n${generatorTable(await runGeneratorCost(settings.generatorSizes))}\n`);
  print(
    `## Promises\n\nWhat the test suite holds by counting, measured: CPU-time ratios as medians of ${settings.promiseRounds} interleaved rounds; heap after a full GC; milliseconds to a 503.\n\n${promiseTable(promises)}\n`,
  );
}

if (profileDir !== undefined) {
  print('## Profiles: top frames by self time, of the busy samples\n');
  for (const variant of variants) {
    const folder = join(profileDir, variant.name);
    const file = await busiestProfile((await readdir(folder)).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(folder, name)));
    if (file !== undefined) print(`\`\`\`\n${variant.name}: ${formatTopFrames(file, await topFrames(file, 25))}\n\`\`\`\n`);
  }
}

if (failures.length > 0) {
  log(`${failures.length} failure(s): non-2xx answers or socket errors under load, or a floor unlike ours (see Failures)`);
  process.exitCode = 1;
}
const blown = blownUp(promises);
if (blown.length > 0) {
  log(`blown up, far past the bound: ${blown.map(({ what }) => what).join('; ')}`);
  process.exitCode = 1;
}

async function machine(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown CPU';
  // Other work on the machine shows here and in each round's load average.
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  return `Machine: ${availableParallelism()} CPUs (${model}), Node ${process.version}, ${process.platform} ${process.arch}; load average at start ${load}.`;
}
