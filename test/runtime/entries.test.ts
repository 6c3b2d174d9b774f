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
      'SessionStateError',
      'SessionStorageError',
      'SessionTooLargeError',
      'SessionUsageError',
      'SessionValidationError',
      'generateKey',
    ]);
  });

  it('typed-sessions/core exports what generated code needs: the middleware factory, the provider base class, the format', () => {
    expect(Object.keys(core).sort()).toEqual(['GENERATED_FORMAT', 'SessionProvider', 'createSessionsMiddleware']);
  });

  it('the entry has one name: typed-sessions/runtime is gone', () => {
    const require = createRequire(import.meta.url);
    expect(() => require.resolve('typed-sessions/runtime')).toThrow(/Package subpath '.\/runtime' is not defined by "exports"/);
  });
});
