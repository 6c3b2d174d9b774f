/** The HTTP suites run once per supported Koa major (vitest.config.ts, .ci/run): this says which one ran. */
import Koa from 'koa';
import koaPackage from 'koa/package.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { startServer } from './server.js';

describe('the Koa under test', () => {
  it('is the major TYPED_SESSIONS_KOA names (default 3), and it serves sessions', async () => {
    const major = Number(koaPackage.version.split('.')[0]);
    expect(major).toBe(Number(process.env.TYPED_SESSIONS_KOA ?? '3'));
    expect(typeof Koa).toBe('function');
    const server = await startServer();
    try {
      const response = await fetch(`${server.url}/s/profile`, { method: 'PUT', body: '{"userId":"ada"}', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^profile=/)]);
    } finally {
      await server.close();
    }
  });
});
