import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `TYPED_SESSIONS_KOA=2` runs the suite against Koa 2 (the `koa2` alias of koa@2 in devDependencies)
 * instead of Koa 3: the runtime supports both (peer `^2.13.0 || ^3.0.0`), and .ci/run runs the HTTP
 * suites once per major.
 */
const koaMajor = process.env.TYPED_SESSIONS_KOA ?? '3';
if (koaMajor !== '2' && koaMajor !== '3') throw new Error(`TYPED_SESSIONS_KOA must be 2 or 3, not ${koaMajor}`);

const PACKAGE_TESTS = 'test/package/**/*.test.ts';
const LOAD_TESTS = 'test/storage/redis-load.test.ts';

/**
 * Test files that stub a module, a global, the environment or timers (`vi.mock`, `vi.spyOn`, ...): a stub
 * lives in the module cache, so these keep vitest's isolation (a fresh module graph per file). Every other
 * file shares one module cache per worker, so TypeScript, ts-morph, prettier, Koa and the runtime load once
 * per worker instead of once per file. Found by reading the files, so a new stub is isolated without a list
 * to keep.
 */
const STUBBING = /\bvi\.(?:mock|doMock|spyOn|mocked|stubGlobal|stubEnv|useFakeTimers)\(/;
const STUBBING_TESTS = testFiles('test').filter((file) => STUBBING.test(readFileSync(file, 'utf8')));

function testFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

export default defineConfig({
  resolve: { conditions: ['source'], alias: koaMajor === '2' ? { koa: 'koa2' } : {} },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the CPUs: one file at a time on a 2-core machine. Many files
    // wait on sockets, child processes, Redis and Chromium, so three at a time keep both cores busy
    // (measured on 2 cores: 73 s with two workers, 65 s with three, 72 s with four).
    maxWorkers: 3,
    projects: [
      // `npm test` (projects suite and isolated): everything but the packed tarballs and the load test, the
      // developer's loop.
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, PACKAGE_TESTS, LOAD_TESTS, ...STUBBING_TESTS], isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: STUBBING_TESTS, exclude: [...configDefaults.exclude, PACKAGE_TESTS, LOAD_TESTS] } },
      // `npm run test:package`: `npm pack` and fresh installs from the tarballs, as a user gets the packages.
      { extends: true, test: { name: 'package', include: [PACKAGE_TESTS] } },
      // `npm run test:load`: 10,000 requests from 1,000 concurrent clients against a real Redis.
      { extends: true, test: { name: 'load', include: [LOAD_TESTS] } },
    ],
  },
});
