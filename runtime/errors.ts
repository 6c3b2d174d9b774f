/**
 * Errors the runtime throws at an app. Each has a stable `name` and `code`; messages say what went wrong,
 * where (session name, payload path or environment variable) and how to fix it.
 */

/** What every error below shares: `error instanceof SessionError` catches them all; `code` is stable. */
export abstract class SessionError extends Error {
  abstract readonly code: string;
}

/**
 * An error the middleware throws as a Koa HTTP error (the shape of `ctx.throw` and http-errors), so
 * `ctx.onerror` or the app's own error middleware renders it with its status and headers (security.md #66).
 */
export abstract class SessionHttpError extends SessionError {
  readonly status: number;
  readonly statusCode: number;
  constructor(
    status: number,
    readonly expose: boolean,
    readonly headers: Readonly<Record<string, string>>,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = this.statusCode = status;
  }
}

/** `set()` was given a payload that does not match the session's schema. */
export class SessionValidationError extends SessionError {
  override readonly name = 'SessionValidationError';
  readonly code = 'SESSION_VALIDATION';
  constructor(
    /** Session accessor name. */
    readonly session: string,
    /** JSON Pointer of the failing value inside the payload, or the flash value (`""` for the root). */
    readonly path: string,
    detail: string,
    /** What holds the value: the payload, or a flash value, like `flash "notice"`. */
    subject = 'payload',
  ) {
    super(`session "${session}": ${subject} ${path === '' ? '(root)' : path} ${detail}`);
  }
}

/**
 * The sealed session would not fit in a cookie (4096 bytes, name and attributes included) or header, or
 * (`place: 'storage'`) the stored value of a session tracked by id would pass the storage limit.
 */
export class SessionTooLargeError extends SessionError {
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

/**
 * The session storage failed or timed out: a 503 with `Retry-After`. The message names the storage and the
 * fault, so it is not exposed to clients.
 */
export class SessionStorageError extends SessionHttpError {
  override readonly name = 'SessionStorageError';
  readonly code = 'SESSION_STORAGE_UNAVAILABLE';
  readonly storage: string;
  constructor(storage: string, message: string, options?: ErrorOptions) {
    super(503, false, { 'Retry-After': '1', 'Cache-Control': 'no-store' }, `storage "${storage}": ${message}`, options);
    this.storage = storage;
  }
}

/**
 * A session tracked by id was changed or cleared by another request after this one loaded it, so this
 * request's change was not written (security.md #49, #50): a 409 with a message safe to show, and no
 * `Set-Cookie`; the client may retry with the session as it now stands.
 */
export class SessionConflictError extends SessionHttpError {
  override readonly name = 'SessionConflictError';
  readonly code = 'SESSION_CONFLICT';
  readonly session: string;
  readonly storage: string;
  constructor(session: string, storage: string) {
    const message = `session "${session}" was changed or cleared by another request since this one loaded it; nothing was written, retry the request`;
    super(409, true, { 'Cache-Control': 'no-store' }, message);
    this.session = session;
    this.storage = storage;
  }
}

/**
 * A request on a session tracked by id could not have its turn (docs/storage.md#concurrency-requests-take-turns):
 * another request held the session past `queueTimeout` (`reason: 'queue'`), or this request held it past
 * `holdTimeout` or lost its Redis lock, so the next request went ahead and this one's changes were not
 * written (`reason: 'hold'`): a 503 with `Retry-After` and a message safe to show (it names only the
 * session), and no `Set-Cookie`; the client may retry.
 */
export class SessionBusyError extends SessionHttpError {
  override readonly name = 'SessionBusyError';
  readonly code = 'SESSION_BUSY';
  readonly session: string;
  readonly reason: 'queue' | 'hold';
  /** The bound that passed, in milliseconds. */
  readonly timeout: number;
  constructor(session: string, reason: 'queue' | 'hold', timeout: number) {
    const message =
      reason === 'queue'
        ? `session "${session}" is in use by another request, and this one's turn did not come within ${timeout} ms; nothing was read or written, retry the request`
        : `session "${session}" was no longer this request's to change at commit: it held it past ${timeout} ms, or lost its lock, and the next request went ahead; nothing was written, retry the request`;
    super(503, true, { 'Retry-After': '1', 'Cache-Control': 'no-store' }, message);
    this.session = session;
    this.reason = reason;
    this.timeout = timeout;
  }
}

/**
 * Invalid configuration found at `installSessions()`: a key ring missing, malformed or weak, a bad cookie
 * setting, a Redis storage without `ioredis`, generated code of another format than the installed runtime.
 */
export class SessionConfigError extends SessionError {
  override readonly name = 'SessionConfigError';
  readonly code = 'SESSION_CONFIG';
}

/** A session was changed after its response had been committed. */
export class SessionStateError extends SessionError {
  override readonly name = 'SessionStateError';
  readonly code = 'SESSION_STATE';
}

/**
 * `ctx.sessions` was called with a name sessions.yaml does not declare, or a call the session does not
 * support (`regenerate` on a by-value session): reachable only past the types, through a cast or plain JavaScript.
 */
export class SessionUsageError extends SessionError {
  override readonly name = 'SessionUsageError';
  readonly code = 'SESSION_USAGE';
}
