import { Readable } from 'node:stream';
import type { Context, Middleware, Next } from 'koa';
import { systemClock, type Clock } from './clock.js';
import type { SpecDefinition, StorageDefinition } from './definition.js';
import { SessionConfigError, SessionConflictError, SessionStorageError } from './errors.js';
import { createEmitter, stderrLogger, warnSafely, type SessionEvent, type SessionLogger } from './events.js';
import { parseKeyRing, resolveKeyRing, type KeyRing } from './keys/key-ring.js';
import { ktorHmacKeyRings, transformKeyRings } from './ktor/format.js';
import { planMigrations } from './ktor/migration.js';
import { rawIdSharing, rawIdSharingProblem, storeOf } from './ktor/raw-id-sharing.js';
import { parseRawKeyRing, shortHmacKeyWarning } from './ktor/raw-key-ring.js';
import type { ProviderContext, SessionProvider } from './provider.js';
import { RequestSessions, type InstalledSessions, type Sessions } from './request-sessions.js';
import { DirectoryStorage } from './storage/directory.js';
import { MemoryStorage } from './storage/memory.js';
import { RedisStorage } from './storage/redis.js';
import type { Storage } from './storage/storage.js';

/** `installSessions(options)`: everything is optional. */
export interface InstallOptions {
  /** Key rings by name, overriding the environment: comma-separated or an array, newest first. */
  keys?: Record<string, string | readonly string[]>;
  /** Storage instances by storage name (e.g. a Redis storage on the app's client). */
  storages?: Record<string, Storage>;
  /** Where key rings are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Every rejection, refresh, storage fault and eviction from a storage built from the spec. */
  onEvent?: (event: SessionEvent) => void;
  /** Receives warnings (rejections, storage faults, short Ktor HMAC keys at start-up); default one JSON line on stderr. Never gets tokens, payloads or keys. */
  logger?: SessionLogger;
  /** Epoch milliseconds; tests inject it to move time. */
  clock?: () => number;
  /** Milliseconds a storage call may take before the request gets a 503; default 1000. */
  storageTimeout?: number;
}

const DEFAULT_STORAGE_TIMEOUT = 1000;

/**
 * The Koa middleware for a spec; generated `installSessions()` calls it. Everything that can be wrong
 * with the configuration throws `SessionConfigError` here, at startup: missing or weak keys (naming the
 * environment variable), storages it cannot build, cookie settings a browser would drop.
 *
 * Per request it loads the sessions whose cookie or header is present, runs the rest of the chain with
 * `ctx.sessions`, then writes what changed. Koa sends the response only after the chain resolves, so the
 * write lands before the response leaves. A storage that fails or times out throws a Koa HTTP error, 503
 * with `Retry-After`, and a change lost to a concurrent request a 409, for the app's error handling to
 * render; either way no `Set-Cookie`.
 *
 * @example
 * export function installSessions(options?: InstallOptions): Middleware {
 *   return createSessionsMiddleware(spec, options);
 * }
 */
export function createSessionsMiddleware(spec: SpecDefinition, options: InstallOptions = {}): Middleware {
  const installed = install(spec, options);

  return async function sessions(ctx: Context, next: Next): Promise<void> {
    const requestSessions = new RequestSessions(installed, ctx);
    ctx.sessions = requestSessions as Sessions<any, any>;
    try {
      // Only a storage makes loading asynchronous; skipping `await` spares every other request a tick.
      const loading = requestSessions.load();
      if (loading !== undefined) await loading;
    } catch (error) {
      requestSessions.close();
      throw withoutResponse(ctx, error);
    }
    try {
      await next();
    } catch (error) {
      requestSessions.abort(error);
      throw error;
    }
    try {
      const committing = requestSessions.commit();
      if (committing !== undefined) await committing;
    } catch (error) {
      throw withoutResponse(ctx, error);
    }
  };
}

function install(spec: SpecDefinition, options: InstallOptions): InstalledSessions {
  const env = options.env ?? process.env;
  const clock: Clock = options.clock ?? systemClock;
  const logger = options.logger ?? stderrLogger;
  const storageTimeout = options.storageTimeout ?? DEFAULT_STORAGE_TIMEOUT;
  if (!(Number.isFinite(storageTimeout) && storageTimeout > 0)) {
    throw new SessionConfigError(`installSessions({ storageTimeout }) must be a number of milliseconds above 0, not ${storageTimeout}`);
  }
  refuseRawIdSharing(spec, options);
  const emit = createEmitter(options.onEvent, logger);
  const context: ProviderContext = {
    keyRings: resolveKeyRings(spec, options, env, logger),
    storages: resolveStorages(spec, options, { clock, env, logger, emit }),
    clock,
    emit,
    storageTimeout,
  };
  const providers = spec.providers.map((Provider) => new Provider(context) as SessionProvider<unknown>);
  const indexByName = new Map<string, number>();
  providers.forEach((provider, index) => {
    if (indexByName.has(provider.name)) throw new SessionConfigError(`two sessions are named "${provider.name}"; session names must be unique`);
    indexByName.set(provider.name, index);
  });
  const cookieNames = new Set(providers.flatMap((provider) => (provider.transport.kind === 'cookie' ? [provider.transport.name] : [])));
  const migrations = planMigrations(providers.map((provider) => provider.definition));
  return { providers, indexByName, cookieNames, clock, warnUntrustedHttps: warnOnce(logger, UNTRUSTED_HTTPS_WARNING), migrations };
}

/**
 * Every ring a session uses, from `options.keys` or the environment; a bad ring fails startup naming its
 * source. A ring holding short Ktor HMAC keys is accepted with one warning, however many sessions use it.
 */
function resolveKeyRings(
  spec: SpecDefinition,
  options: InstallOptions,
  env: Readonly<Record<string, string | undefined>>,
  logger: SessionLogger,
): ReadonlyMap<string, KeyRing> {
  refuseUnknownNames('keys', options.keys, spec.keys);
  const rings = new Map<string, KeyRing>();
  for (const name of new Set(spec.providers.flatMap((provider) => provider.definition.transforms.flatMap(transformKeyRings)))) {
    const declared = ownEntry(spec.keys, name);
    if (declared === undefined) {
      throw new SessionConfigError(`key ring "${name}" is used by a session but not declared under keys: in sessions.yaml`);
    }
    const override = ownEntry(options.keys, name);
    rings.set(name, resolveKeyRing(name, declared.env, env, override, declared.encoding === 'hex' ? parseRawKeyRing : parseKeyRing));
  }
  for (const name of new Set(spec.providers.flatMap((provider) => provider.definition.transforms.flatMap(ktorHmacKeyRings)))) {
    const warning = shortHmacKeyWarning(rings.get(name)!);
    if (warning !== undefined) warnSafely(logger, warning, { keyRing: name });
  }
  return rings;
}

/** What a storage built from the spec is given besides its declaration. */
interface StorageSetup {
  readonly clock: Clock;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: SessionLogger;
  readonly emit: (event: SessionEvent) => void;
}

/**
 * Every storage a session uses: the app's instance from `options.storages`, else built from the spec
 * (a Redis URL from the environment variable the spec names).
 */
function resolveStorages(spec: SpecDefinition, options: InstallOptions, setup: StorageSetup): ReadonlyMap<string, Storage> {
  refuseUnknownNames('storages', options.storages, spec.storages);
  const storages = new Map<string, Storage>();
  for (const provider of spec.providers) {
    const name = provider.definition.storage;
    if (name === undefined || storages.has(name)) continue;
    const given = ownEntry(options.storages, name);
    const declared = ownEntry(spec.storages, name);
    if (given !== undefined) storages.set(name, given);
    else if (declared === undefined) {
      throw new SessionConfigError(`storage "${name}" is used by session "${provider.definition.name}" but not declared under storages: in sessions.yaml`);
    } else storages.set(name, buildStorage(name, declared, setup));
  }
  return storages;
}

/** Two Ktor-format sessions on one store would accept each other's raw ids (security.md #55). */
function refuseRawIdSharing(spec: SpecDefinition, options: InstallOptions): void {
  const sessions = spec.providers.flatMap(({ definition }) => {
    const name = definition.storage;
    if (name === undefined) return [];
    const declared = ownEntry(spec.storages, name);
    const store = ownEntry(options.storages, name) ?? (declared === undefined ? name : storeOf(name, declared));
    return [{ name: definition.name, store, rawIds: definition.ktor !== undefined }];
  });
  const [sharing] = rawIdSharing<Storage | string>(sessions);
  if (sharing !== undefined) throw new SessionConfigError(`${rawIdSharingProblem(sharing)} in sessions.yaml`);
}

function buildStorage(name: string, declared: StorageDefinition, { clock, env, logger, emit }: StorageSetup): Storage {
  const onEvict = () => emit({ type: 'evicted', storage: name });
  switch (declared.kind) {
    case 'memory':
      if (env.NODE_ENV === 'production') {
        logger.warn('memory session storage in production: sessions are lost on restart and not shared between processes', { storage: name });
      }
      return new MemoryStorage({ maxEntries: declared.maxEntries, clock, onEvict });
    case 'directory':
      return new DirectoryStorage({ path: declared.path, maxEntries: declared.maxEntries, clock, onEvict });
    case 'redis': {
      const variable = declared.url.env;
      const url = env[variable];
      if (url === undefined || url === '') {
        throw new SessionConfigError(
          `storage "${name}" is kind redis and reads its URL from the environment variable ${variable}, which is not set; set it (e.g. ${variable}=redis://127.0.0.1:6379) or pass a client via installSessions({ storages: { ${name}: new RedisStorage(client) } })`,
        );
      }
      return new RedisStorage(url, { prefix: declared.prefix });
    }
  }
}

const UNTRUSTED_HTTPS_WARNING =
  'X-Forwarded-Proto says https but app.proxy is off, so a secure: auto cookie was sent without Secure; behind a TLS proxy you trust, set app.proxy = true (or secure: true in sessions.yaml); if there is no proxy, a client sent the header';

/** Logs `message` the first time only: a misconfiguration shows on every request, and one line says it. */
function warnOnce(logger: SessionLogger, message: string): (session: string) => void {
  let warned = false;
  return function warnUntrustedHttps(session) {
    if (warned) return;
    warned = true;
    warnSafely(logger, message, { session });
  };
}

/** `record[name]` if `record` has it as its own property: a name like `constructor` or `__proto__` finds nothing. */
function ownEntry<V>(record: Readonly<Record<string, V>> | undefined, name: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A misspelt name in `installSessions({ keys })` or `({ storages })` would otherwise be silently ignored. */
function refuseUnknownNames(option: string, given: object | undefined, declared: object): void {
  for (const name of Object.keys(given ?? {})) {
    if (!Object.hasOwn(declared, name)) {
      throw new SessionConfigError(
        `installSessions({ ${option}: { ${name} } }): sessions.yaml declares no ${option === 'keys' ? 'key ring' : 'storage'} "${name}" (declared: ${Object.keys(declared).join(', ') || 'none'})`,
      );
    }
  }
}

/**
 * A storage fault (503, design.md section 5, checklist #45) or a change another request beat (409, #49,
 * #50) leaves the middleware as the error it is: `SessionStorageError` and `SessionConflictError` carry
 * `status`, `expose` and `headers` as http-errors does, so Koa's `ctx.onerror` or the app's own error
 * middleware renders it (security.md #66). Nothing the handler put in the response leaves with it: a
 * streamed body is destroyed, and no `Set-Cookie` of any kind goes out (Koa's own error response drops
 * every header; an app's error middleware keeps the others). Any other error passes through untouched.
 */
function withoutResponse(ctx: Context, error: unknown): unknown {
  if (error instanceof SessionStorageError || error instanceof SessionConflictError) {
    if (ctx.body instanceof Readable) ctx.body.destroy();
    ctx.remove('Set-Cookie');
  }
  return error;
}
