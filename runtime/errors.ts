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

/** The session storage failed or timed out; the middleware answers 503 with Retry-After. */
export class SessionStorageError extends Error {
  override readonly name = 'SessionStorageError';
  readonly code = 'SESSION_STORAGE_UNAVAILABLE';
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
 * request's change was not written (checklist #49, #50): the middleware answers 409 with no `Set-Cookie`,
 * and the client may retry with the session as it now stands.
 */
export class SessionConflictError extends Error {
  override readonly name = 'SessionConflictError';
  readonly code = 'SESSION_CONFLICT';
  constructor(
    readonly session: string,
    readonly storage: string,
  ) {
    super(`session "${session}" was changed or cleared by another request since this one loaded it; nothing was written, retry the request`);
  }
}

/** `ctx.sessions` was called with a name sessions.yaml does not declare, or a call the session does not support. */
export class SessionUsageError extends Error {
  override readonly name = 'SessionUsageError';
  readonly code = 'SESSION_USAGE';
}
