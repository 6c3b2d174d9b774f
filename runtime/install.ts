import { systemClock, type Clock } from './clock.js';
import type { TransformDefinition } from './definition.js';
import { SessionConfigError } from './errors.js';
import { createEmitter, stderrLogger, warnSafely } from './emitter.js';
import type { LifecycleEvent, RuntimeEvent, SessionEvent, SessionLogger } from './events.js';
import { GENERATED_FORMAT } from './generated-format.js';
import { parseKeyRing, resolveKeyRing, type KeyRing } from './keys/key-ring.js';
import { requireLayer, type KtorLayer } from './layers.js';
import type { InstalledSessions } from './installed-sessions.js';
import type { PipelineContext } from './pipeline-parts.js';
import { SessionPipeline } from './session-pipeline.js';
import { concurrencyProblem, ringEncodingProblem, sessionFacts, wireNameClashes } from './session-rules.js';
import type { SpecDefinition } from './spec-definition.js';
import { ownEntry } from './own-entry.js';
import { perUserProblem } from './per-user-rules.js';
import { resolveStorages } from './storage/spec-storages.js';
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
  /**
   * Each session's life, for an audit log of sign-ins: `created`, `destroyed`, `expired` (when noticed),
   * `regenerated`, naming the session and never a token or an id. Reported once the response is written.
   */
  onLifecycle?: (event: LifecycleEvent) => void;
  /** Receives warnings (rejections, storage faults, short Ktor HMAC keys at start-up); default one JSON line on stderr. Never gets tokens, payloads or keys. */
  logger?: SessionLogger;
  /** Epoch milliseconds; tests inject it to move time. */
  clock?: () => number;
  /** Milliseconds a storage call may take before the request gets a 503; default 1000. */
  storageTimeout?: number;
  /**
   * Milliseconds a request waits for its turn on a by-id session that other requests are using (in this
   * process, and for the lock of `concurrency: serialize`) before it gets a 503; default 5000.
   */
  queueTimeout?: number;
  /**
   * Milliseconds a request may hold its turn on a by-id session: past it the next request goes ahead, and
   * this one's changes are refused with a 503 instead of written. The expiry of the lock of
   * `concurrency: serialize`, so also how long a crashed process keeps a session locked. Default 10000.
   */
  holdTimeout?: number;
}

const DEFAULT_STORAGE_TIMEOUT = 1000;
const DEFAULT_QUEUE_TIMEOUT = 5000;
const DEFAULT_HOLD_TIMEOUT = 10_000;

/**
 * Everything a spec and `installSessions()`'s options resolve to once, at startup, for every request to
 * share: key rings, storages, each session's pipeline built from its provider's definition, the migrations. Throws `SessionConfigError` for
 * anything wrong with the configuration.
 */
export function install(spec: SpecDefinition, options: InstallOptions): InstalledSessions {
  checkFormat(spec);
  const env = options.env ?? process.env;
  const clock: Clock = options.clock ?? systemClock;
  const logger = options.logger ?? stderrLogger;
  const storageTimeout = milliseconds('storageTimeout', options.storageTimeout, DEFAULT_STORAGE_TIMEOUT);
  const turnTimeouts = {
    queue: milliseconds('queueTimeout', options.queueTimeout, DEFAULT_QUEUE_TIMEOUT),
    hold: milliseconds('holdTimeout', options.holdTimeout, DEFAULT_HOLD_TIMEOUT),
  };
  refuseUnknownNames('keys', options.keys, spec.keys);
  checkConcurrency(spec);
  checkPerUserSettings(spec);
  refuseUnknownNames('storages', options.storages, spec.storages);
  const ktor = ktorLayerOf(spec);
  const keyRings = resolveKeyRings(spec, options, env);
  const definitions = spec.providers.map((provider) => provider.definition);
  // Before any storage is built: a refusal must not leave a Redis connection open.
  ktor?.check({ definitions, storages: spec.storages, given: options.storages ?? {}, keyRings, logger });
  const emit = createEmitter(options, logger);
  const context: PipelineContext = {
    keyRings,
    storages: resolveStorages(spec, options.storages, { clock, env, logger, emit }),
    clock,
    emit,
    storageTimeout,
    turnTimeouts,
    layers: spec.layers ?? {},
  };
  const pipelines = definitions.map((definition) => new SessionPipeline<unknown>(definition, context));
  const indexByName = new Map<string, number>();
  pipelines.forEach((pipeline, index) => {
    if (indexByName.has(pipeline.name)) throw new SessionConfigError(`two sessions are named "${pipeline.name}"; session names must be unique`);
    indexByName.set(pipeline.name, index);
  });
  const [clash] = wireNameClashes(pipelines.map(({ name, transport, definition }) => ({ session: name, transport: transport.kind, name: transport.name, chunked: sessionFacts(definition).chunked })));
  if (clash !== undefined) throw new SessionConfigError(`session "${clash.session}": ${clash.problem} in sessions.yaml`);
  const cookieNames = new Set(pipelines.flatMap((pipeline) => pipeline.transport.cookieNames));
  const migrations = ktor?.planMigrations(definitions) ?? [];
  return {
    pipelines,
    indexByName,
    cookieNames,
    clock,
    warnUntrustedHttps: warnOnce(logger, UNTRUSTED_HTTPS_WARNING),
    migrations,
    migrating: new Set(migrations.flatMap(({ target, source }) => [target, source])),
    freezePayloads: env.NODE_ENV !== 'production',
  };
}

/**
 * The runtime trusts what `gen` checked and compiled, so a definition of another format than it reads
 * would be misread: refused before anything else is looked at.
 */
function checkFormat(spec: SpecDefinition): void {
  const format: unknown = spec.format;
  if (format === GENERATED_FORMAT) return;
  const newer = typeof format === 'number' && format > GENERATED_FORMAT;
  throw new SessionConfigError(
    `the generated sessions module is of format ${typeof format === 'number' ? format : 'none'} and this typed-sessions runtime reads format ${GENERATED_FORMAT}: ` +
      (newer
        ? 'it was generated by a newer @typed-sessions/cli; upgrade typed-sessions to the same version, or regenerate it with the generator matching the runtime: npx typed-sessions gen'
        : 'it was generated by an older @typed-sessions/cli; regenerate it: npx typed-sessions gen'),
  );
}

/** The longest delay a Node timer takes: past it `setTimeout` fires after 1 ms instead (with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `installSessions({ [option]: given })`, or `fallback`; refused unless a number of milliseconds above 0, at most `MAX_TIMER_MS`. */
function milliseconds(option: string, given: number | undefined, fallback: number): number {
  const value = given ?? fallback;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new SessionConfigError(`installSessions({ ${option} }) must be a number of milliseconds above 0, not ${value}`);
  }
  if (value > MAX_TIMER_MS) {
    throw new SessionConfigError(
      `installSessions({ ${option} }) must be at most ${MAX_TIMER_MS} milliseconds (about 24.8 days, the longest Node timer), not ${value}`,
    );
  }
  return value;
}

/** `concurrency: serialize` only where the declared storage has a lock every process shares (runtime/session-rules.ts). */
function checkConcurrency(spec: SpecDefinition): void {
  for (const { definition } of spec.providers) {
    const storageKind = definition.storage === undefined ? undefined : ownEntry(spec.storages, definition.storage)?.kind;
    const problem = concurrencyProblem({ byId: definition.storage !== undefined, concurrency: definition.concurrency, storageKind });
    if (problem !== undefined) throw new SessionConfigError(`session "${definition.name}": ${problem} in sessions.yaml`);
  }
}

/** `index`, `maxPerUser`, `summary` and `revocation` where each can work, naming what they must (runtime/per-user-rules.ts). */
function checkPerUserSettings(spec: SpecDefinition): void {
  for (const { definition } of spec.providers) {
    const problem = perUserProblem(definition, spec.storages);
    if (problem !== undefined) throw new SessionConfigError(`session "${definition.name}": ${problem}; fix it in sessions.yaml`);
  }
}

/** The Ktor layer, when a session is in Ktor's format or migrates from one; throws if the definition lacks it. */
function ktorLayerOf(spec: SpecDefinition): KtorLayer | undefined {
  const user = spec.providers.find(({ definition }) => definition.ktor !== undefined || definition.migrateFrom !== undefined)?.definition;
  if (user === undefined) return undefined;
  const why = user.ktor !== undefined ? "is in Ktor's format, which" : 'migrates from a session in Ktor\'s format, which';
  return requireLayer(spec.layers, 'ktor', `session "${user.name}" ${why}`);
}

/** Every ring a session uses, from `options.keys` or the environment; a bad ring fails startup naming its source. */
function resolveKeyRings(spec: SpecDefinition, options: InstallOptions, env: Readonly<Record<string, string | undefined>>): ReadonlyMap<string, KeyRing> {
  const rings = new Map<string, KeyRing>();
  checkRingEncodings(spec);
  for (const name of new Set(spec.providers.flatMap((provider) => provider.definition.transforms.flatMap(transformKeyRings)))) {
    const declared = ownEntry(spec.keys, name);
    if (declared === undefined) {
      throw new SessionConfigError(`key ring "${name}" is used by a session but not declared under keys: in sessions.yaml`);
    }
    const override = ownEntry(options.keys, name);
    // Raw key bytes serve only Ktor's transforms (docs/ktor.md).
    const parse = declared.encoding === 'hex' ? requireLayer(spec.layers, 'ktor', `key ring "${name}" is declared encoding: hex, which`).parseKeyRing : parseKeyRing;
    rings.set(name, resolveKeyRing(name, declared.env, env, override, parse));
  }
  return rings;
}

/** Every ring a transform names is in the encoding its kind reads (runtime/session-rules.ts). */
function checkRingEncodings(spec: SpecDefinition): void {
  for (const { definition } of spec.providers) {
    for (const transform of definition.transforms) {
      for (const ring of transformKeyRings(transform)) {
        const declared = ownEntry(spec.keys, ring);
        const problem = declared === undefined ? undefined : ringEncodingProblem(transform.kind, ring, declared.encoding === 'hex');
        if (problem !== undefined) throw new SessionConfigError(`session "${definition.name}": ${problem}`);
      }
    }
  }
}

/** The key rings a transform reads: `ktor-encrypt` has one for AES and one for HMAC. */
function transformKeyRings(transform: TransformDefinition): string[] {
  return transform.kind === 'ktor-encrypt' ? [transform.keys, transform.signKeys] : [transform.keys];
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
