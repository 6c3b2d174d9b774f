import type { IncomingHttpHeaders } from 'node:http';
import { SessionConfigError } from '../errors.js';
import { HEADER_NAME, headerNameProblem } from './header-rules.js';
import type { ResponseHeaders } from './response-headers.js';
import type { CookieJar, Transport } from './transport.js';

const MAX_HEADER_TOKEN_LENGTH = 8192;

/**
 * The session token in a request header, echoed in a response header of the same name whenever it
 * changes (Ktor's `header` transport). Never touches cookies (security.md #9). The value is the bare token:
 * anything else (a `Bearer` scheme, whitespace, two tokens joined with ", " by Node) fails the token
 * alphabet and is refused.
 */
export class HeaderTransport implements Transport {
  readonly kind = 'header';
  readonly vary: string;
  readonly cookieNames: readonly string[] = [];
  /** Well under Node's 16 KB limit for all headers together. */
  readonly maxTokenLength = MAX_HEADER_TOKEN_LENGTH;
  readonly outgoingLimit = MAX_HEADER_TOKEN_LENGTH;
  /** Node lower-cases incoming header names. */
  readonly #key: string;

  constructor(
    session: string,
    readonly name: string,
  ) {
    if (!HEADER_NAME.test(name)) {
      throw new SessionConfigError(
        `session "${session}": header "${name}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only); fix it in sessions.yaml`,
      );
    }
    const problem = headerNameProblem(name);
    if (problem !== undefined) throw new SessionConfigError(`session "${session}": ${problem}`);
    this.vary = name;
    this.#key = name.toLowerCase();
  }

  read(headers: IncomingHttpHeaders, _cookies: CookieJar): readonly string[] | undefined {
    const value = headers[this.#key];
    return typeof value === 'string' && value !== '' ? [value] : undefined;
  }

  send(response: ResponseHeaders, token: string): void {
    response.set(this.name, token);
  }

  /** An empty header: the client's signal to drop its token. */
  expire(response: ResponseHeaders): void {
    response.set(this.name, '');
  }

  holds(): boolean {
    return false;
  }
}
