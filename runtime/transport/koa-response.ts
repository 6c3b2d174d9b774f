import type { Context } from 'koa';
import type { ResponseHeaders } from './response-headers.js';

/**
 * Koa's context on the way out, as transports write to it. It also tells the operator, through
 * `warnUntrustedHttps`, when a `secure: auto` cookie goes out without `Secure` although the request says it
 * came over HTTPS (`X-Forwarded-Proto: https`) while `app.proxy` is off: Koa rightly does not believe the
 * header (security.md #11). Behind a real TLS proxy that is a misconfiguration; from a client it is a
 * spoof. Either way the header is not trusted, and the operator is told.
 *
 * @example
 * const response = new KoaResponse(ctx, (session) => logger.warn('untrusted X-Forwarded-Proto', { session }));
 * transport.send(response, token, { maxAge, persistent: undefined, now: Date.now(), presented: cookies });
 */
export class KoaResponse implements ResponseHeaders {
  constructor(
    readonly ctx: Context,
    readonly warnUntrustedHttps: (session: string) => void,
  ) {}

  get secure(): boolean {
    return this.ctx.secure;
  }

  // Straight to Node's response: Koa's own `append`, `set` and `vary` normalize values these never need. Like
  // them, each does nothing once the headers are sent: an app that sends the response itself while a
  // storage write is pending (`ctx.respond = false`) gets no throw from Node.
  append(field: string, value: string): void {
    const { res } = this.ctx;
    if (res.headersSent) return;
    const previous = res.getHeader(field);
    res.setHeader(field, previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [String(previous), value]);
  }

  set(field: string, value: string): void {
    if (!this.ctx.res.headersSent) this.ctx.res.setHeader(field, value);
  }

  vary(field: string): void {
    if (this.ctx.res.headersSent) return;
    // `vary` parses and merges what is there; a response with no `Vary` yet (the usual case) needs neither.
    if (this.ctx.res.getHeader('Vary') === undefined) this.ctx.res.setHeader('Vary', field);
    else this.ctx.vary(field);
  }

  sentWithoutSecure(session: string): void {
    if (this.#claimsUntrustedHttps()) this.warnUntrustedHttps(session);
  }

  #claimsUntrustedHttps(): boolean {
    if (this.ctx.app.proxy) return false;
    const forwarded = this.ctx.get('X-Forwarded-Proto');
    return forwarded !== '' && forwarded.split(',', 1)[0]!.trim().toLowerCase() === 'https';
  }
}
