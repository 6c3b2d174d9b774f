import { defineConfig } from 'vitest/config';

/**
 * `TYPED_SESSIONS_KOA=2` runs the suite against Koa 2 (the `koa2` alias of koa@2 in devDependencies)
 * instead of Koa 3: the runtime supports both (peer `^2.13.0 || ^3.0.0`), and .ci/run runs the HTTP
 * suites once per major.
 */
const koaMajor = process.env.TYPED_SESSIONS_KOA ?? '3';
if (koaMajor !== '2' && koaMajor !== '3') throw new Error(`TYPED_SESSIONS_KOA must be 2 or 3, not ${koaMajor}`);

export default defineConfig({
  resolve: { conditions: ['source'], alias: koaMajor === '2' ? { koa: 'koa2' } : {} },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts', 'runtime/**/*.test.ts', 'generator/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
