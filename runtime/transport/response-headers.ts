/**
 * Where transports write: Koa's context on the way out, or, when the handler threw, the headers of the
 * thrown error, which Koa's error response applies after dropping every other header. A refused
 * cookie is then expired whatever the status (security.md #24).
 */
export interface ResponseHeaders {
  /** Whether the request came over HTTPS: Koa's `ctx.secure`, which trusts proxies only with `app.proxy`. */
  readonly secure: boolean;
  append(field: string, value: string): void;
  set(field: string, value: string): void;
  vary(field: string): void;
  /** A `secure: auto` cookie of session `session` went out without `Secure`: the request is plain HTTP as Koa sees it. */
  sentWithoutSecure(session: string): void;
}

/**
 * Collects headers for an error's `headers` property (how `ctx.throw(status, message, { headers })`
 * reaches Koa's `ctx.onerror`).
 *
 * @example
 * const headers = new ErrorHeaders(ctx.secure);
 * transport.expire(headers, cookies);
 * headers.attachTo(error);
 */
export class ErrorHeaders implements ResponseHeaders {
  readonly #fields = new Map<string, string[]>();

  constructor(readonly secure: boolean) {}

  append(field: string, value: string): void {
    const values = this.#fields.get(field);
    if (values === undefined) this.#fields.set(field, [value]);
    else values.push(value);
  }

  set(field: string, value: string): void {
    this.#fields.set(field, [value]);
  }

  vary(field: string): void {
    const values = this.#fields.get('Vary');
    if (values === undefined) this.#fields.set('Vary', [field]);
    else if (!values.includes(field)) values[0] = `${values[0]}, ${field}`;
  }

  /** An error response carries no session token, only expiries: there is nothing to tell the operator. */
  sentWithoutSecure(): void {}

  /** Adds the collected headers to `error.headers`, after any it already has. */
  attachTo(error: Error & { headers?: Record<string, string | string[]> }): void {
    if (this.#fields.size === 0) return;
    const headers = { ...error.headers };
    for (const [field, values] of this.#fields) {
      const existing = headers[field];
      headers[field] = existing === undefined ? values : [...[existing].flat(), ...values];
    }
    error.headers = headers;
  }
}
