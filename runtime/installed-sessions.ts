import type { Clock } from './clock.js';
import type { Migration } from './ktor/migration.js';
import type { SessionPipeline } from './session-pipeline.js';

/** What every request shares: each session's pipeline in spec order, looked up by name. */
export interface InstalledSessions {
  readonly pipelines: readonly SessionPipeline<unknown>[];
  readonly indexByName: ReadonlyMap<string, number>;
  /** The cookies sessions read (a chunked session's chunks among them): the only cookies the parser keeps. */
  readonly cookieNames: ReadonlySet<string>;
  readonly clock: Clock;
  /** Called when a `secure: auto` cookie goes out without `Secure` although the request claims HTTPS through an untrusted proxy header. */
  readonly warnUntrustedHttps: (session: string) => void;
  /** `migrateFrom` pairs, checked at start-up (runtime/ktor/migration.ts). */
  readonly migrations: readonly Migration[];
  /** Indexes of the sessions in a migration, as target or source: opened before the handler, since `#migrate` joins them. */
  readonly migrating: ReadonlySet<number>;
  /** Outside production: payloads `get` returns and `set` keeps are frozen, so a change in place throws instead of being lost. */
  readonly freezePayloads: boolean;
}
