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
// Build-time tests (the generator, the import graph, the generated types) stub nothing, so their files can
// share one module cache per worker: TypeScript, ts-morph and prettier load once, not once per file.
const BUILD_TESTS = ['test/generator/**/*.test.ts', 'test/structure/**/*.test.ts', 'test/types/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: ['source'], alias: koaMajor === '2' ? { koa: 'koa2' } : {} },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the CPUs: one file at a time on a 2-core machine. Most files
    // wait on sockets, child processes and Redis, so two files at a time use both cores.
    maxWorkers: 2,
    projects: [
      // `npm test` (projects suite and build): everything but the packed tarballs and the load test, the
      // developer's loop. Runtime tests stub crypto and ids per file, so they keep vitest's isolation.
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, PACKAGE_TESTS, LOAD_TESTS, ...BUILD_TESTS] },
      },
      { extends: true, test: { name: 'build', include: BUILD_TESTS, isolate: false } },
      // `npm run test:package`: `npm pack` and fresh installs from the tarballs, as a user gets the packages.
      { extends: true, test: { name: 'package', include: [PACKAGE_TESTS] } },
      // `npm run test:load`: 10,000 requests from 1,000 concurrent clients against a real Redis.
      { extends: true, test: { name: 'load', include: [LOAD_TESTS] } },
    ],
  },
});
