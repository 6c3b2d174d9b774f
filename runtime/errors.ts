/**
 * Errors the runtime throws at an app. Each has a stable `name` and `code`; messages say what went wrong,
 * where (session name, payload path or environment variable) and how to fix it.
 */

/** Invalid configuration found at `installSessions()`: a missing or weak key, a bad cookie setting. */
export class SessionConfigError extends Error {
  override readonly name = 'SessionConfigError';
  readonly code = 'SESSION_CONFIG';
}

/** `set()` was given a payload that does not match the session's schema. */
export class SessionValidationError extends Error {
  override readonly name = 'SessionValidationError';
  readonly code = 'SESSION_VALIDATION';
  constructor(
    /** Session accessor name. */
    readonly session: string,
    /** JSON Pointer of the failing value inside the payload (`""` for the root). */
    readonly path: string,
    detail: string,
  ) {
    super(`session "${session}": payload ${path === '' ? '(root)' : path} ${detail}`);
  }
}

/**
 * The sealed session would not fit in a cookie (4096 bytes, name and attributes included) or header, or
 * (`place: 'storage'`) the stored value of a session tracked by id would pass the storage limit.
 */
export class SessionTooLargeError extends Error {
  override readonly name = 'SessionTooLargeError';
  readonly code = 'SESSION_TOO_LARGE';
  constructor(
    readonly session: string,
    readonly size: number,
    readonly limit: number,
    readonly place: 'token' | 'storage' = 'token',
  ) {
    super(
      place === 'token'
        ? `session "${session}" would be ${size} bytes, over the ${limit}-byte limit; store less in it, or track it by id in a storage (storage: in sessions.yaml)`
        : `session "${session}" would be ${size} bytes in its storage, over the ${limit}-byte limit; store less in it`,
    );
  }
}

/** A session was changed after its response had been committed. */
export class SessionStateError extends Error {
  override readonly name = 'SessionStateError';
  readonly code = 'SESSION_STATE';
}

/**
 * The session storage failed or timed out. Thrown from the middleware as a Koa HTTP error (the shape of
 * `ctx.throw` and http-errors): 503 with `Retry-After`, so `ctx.onerror` or the app's own error middleware
 * renders it (security.md #66). The message names the storage and the fault, so it is not exposed to clients.
 */
export class SessionStorageError extends Error {
  override readonly name = 'SessionStorageError';
  readonly code = 'SESSION_STORAGE_UNAVAILABLE';
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = false;
  readonly headers: Readonly<Record<string, string>> = { 'Retry-After': '1', 'Cache-Control': 'no-store' };
  constructor(
    readonly storage: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`storage "${storage}": ${message}`, options);
  }
}

/**
 * A session tracked by id was changed or cleared by another request after this one loaded it, so this
 * request's change was not written (security.md #49, #50). Thrown from the middleware as a Koa HTTP error,
 * 409 with a message safe to show (security.md #66), and no `Set-Cookie`; the client may retry with the
 * session as it now stands.
 */
export class SessionConflictError extends Error {
  override readonly name = 'SessionConflictError';
  readonly code = 'SESSION_CONFLICT';
  readonly status = 409;
  readonly statusCode = 409;
  readonly expose = true;
  readonly headers: Readonly<Record<string, string>> = { 'Cache-Control': 'no-store' };
  constructor(
    readonly session: string,
    readonly storage: string,
  ) {
    super(`session "${session}" was changed or cleared by another request since this one loaded it; nothing was written, retry the request`);
  }
}

/**
 * A request on a session tracked by id could not have its turn (docs/storage.md#concurrency-requests-take-turns):
 * another request held the session past `queueTimeout` (`reason: 'queue'`), or this request held it past
 * `holdTimeout` or lost its Redis lock, so the next request went ahead and this one's changes were not
 * written (`reason: 'hold'`). Thrown from the middleware as a Koa HTTP error, 503 with `Retry-After` and a
 * message safe to show (it names only the session), and no `Set-Cookie`; the client may retry.
 */
export class SessionBusyError extends Error {
  override readonly name = 'SessionBusyError';
  readonly code = 'SESSION_BUSY';
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = true;
  readonly headers: Readonly<Record<string, string>> = { 'Retry-After': '1', 'Cache-Control': 'no-store' };
  constructor(
    readonly session: string,
    readonly reason: 'queue' | 'hold',
    /** The bound that passed, in milliseconds. */
    readonly timeout: number,
  ) {
    super(
      reason === 'queue'
        ? `session "${session}" is in use by another request, and this one's turn did not come within ${timeout} ms; nothing was read or written, retry the request`
        : `session "${session}" was no longer this request's to change at commit: it held it past ${timeout} ms, or lost its lock, and the next request went ahead; nothing was written, retry the request`,
    );
  }
}

/** `ctx.sessions` was called with a name sessions.yaml does not declare, or a call the session does not support. */
export class SessionUsageError extends Error {
  override readonly name = 'SessionUsageError';
  readonly code = 'SESSION_USAGE';
}
