/**
 * One public entry per audience: `typed-sessions` is the app's API and nothing else; `typed-sessions/core`
 * is what generated code imports. A value added to either is a decision, made here.
 */
import { createRequire } from 'node:module';
import * as app from 'typed-sessions';
import * as core from 'typed-sessions/core';
import { describe, expect, it } from 'vitest';

describe('package entries', () => {
  it("typed-sessions exports the app's API: storages, keys and errors (its types: options, ctx.sessions, serializer, events)", () => {
    expect(Object.keys(app).sort()).toEqual([
      'DirectoryStorage',
      'MemoryStorage',
      'RedisStorage',
      'SessionBusyError',
      'SessionConfigError',
      'SessionConflictError',
      'SessionError',
      'SessionStateError',
      'SessionStorageError',
      'SessionTooLargeError',
      'SessionUsageError',
      'SessionValidationError',
      'generateKey',
    ]);
  });

  it('every error it exports is a SessionError whose name is its class name', () => {
    const errors = Object.entries(app).filter(([name]) => name.endsWith('Error') && name !== 'SessionError');
    expect(errors).toHaveLength(8);
    for (const [name, ErrorClass] of errors) {
      const error: unknown = Reflect.construct(ErrorClass as new (...args: unknown[]) => unknown, ['s', 'fault']);
      expect(error).toBeInstanceOf(app.SessionError);
      expect(error).toMatchObject({ name, code: expect.stringMatching(/^SESSION_[A-Z_]+$/) });
    }
  });

  it('the errors the middleware throws carry their HTTP response, as Koa reads it', () => {
    expect({ ...new app.SessionStorageError('redis', 'timed out') }).toMatchObject({
      status: 503,
      statusCode: 503,
      expose: false,
      headers: { 'Retry-After': '1', 'Cache-Control': 'no-store' },
    });
    expect({ ...new app.SessionConflictError('cart', 'redis') }).toMatchObject({ status: 409, statusCode: 409, expose: true, headers: { 'Cache-Control': 'no-store' } });
  });

  it('typed-sessions/core exports what generated code needs: the middleware factory, the provider base class, the format', () => {
    expect(Object.keys(core).sort()).toEqual(['GENERATED_FORMAT', 'SessionProvider', 'createSessionsMiddleware']);
  });

  it('the entry has one name: typed-sessions/runtime is gone', () => {
    const require = createRequire(import.meta.url);
    expect(() => require.resolve('typed-sessions/runtime')).toThrow(/Package subpath '.\/runtime' is not defined by "exports"/);
  });
});
