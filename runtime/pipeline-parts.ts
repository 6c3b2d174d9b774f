/**
 * The parts of a session's pipeline that startup builds from its definition (runtime/session-pipeline.ts):
 * its transport, its storage behind a timeout, the by-id tracker and its turns, and the shared rules
 * checked again, for a definition that may be stale or hand-written. Each throws `SessionConfigError`.
 */
import type { Clock } from './clock.js';
import type { SessionDefinition } from './definition.js';
import { SessionConfigError } from './errors.js';
import type { RuntimeEvent } from './events.js';
import type { SessionIdScheme } from './ids.js';
import type { KeyRing } from './keys/key-ring.js';
import type { SpecLayers } from './layers.js';
import { versionFormatProblem } from './payload-versions.js';
import { expiryProblems } from './expiry-rules.js';
import { chunkedProblem, flashProblem, idleProblem, loadProblem, persistenceProblem, protectionProblem, sessionFacts, transformFormatProblem } from './session-rules.js';
import { hasIndexes, hasLocks, type Storage } from './storage/storage.js';
import { TimedStorage } from './storage/timed-storage.js';
import { ByIdTracker } from './tracker/by-id.js';
import { LockedTurns } from './tracker/locked-turns.js';
import { SessionIndex } from './tracker/session-index.js';
import { TurnQueue, type TurnSource, type TurnTimeouts } from './tracker/turns.js';
import type { Transformer } from './transform/transformer.js';
import { ChunkedCookieTransport } from './transport/chunked-cookie.js';
import { CookieTransport } from './transport/cookie.js';
import { HeaderTransport } from './transport/header.js';
import type { Transport } from './transport/transport.js';

/**
 * What `installSessions()` resolved once at startup and hands every pipeline: key rings and storages by
 * name, the clock, the event sink, the storage timeout and the layers.
 */
export interface PipelineContext {
  readonly keyRings: ReadonlyMap<string, KeyRing>;
  readonly storages: ReadonlyMap<string, Storage>;
  readonly clock: Clock;
  readonly emit: (event: RuntimeEvent) => void;
  /** Milliseconds a storage call may take before the request gets a 503. */
  readonly storageTimeout: number;
  /** Milliseconds a request may wait for its turn on a by-id session, and hold it. */
  readonly turnTimeouts: TurnTimeouts;
  /** The spec's optional layers: Ktor's format for a session that declares `ktor`. */
  readonly layers: SpecLayers;
}

/** The session's transport; a chunked cookie is checked by the rules first (`chunkedProblem`), so it travels by value. */
export function createTransport({ name, transport }: SessionDefinition<unknown>): Transport {
  if (transport.kind === 'header') return new HeaderTransport(name, transport.name);
  return transport.cookie.chunked === true ? new ChunkedCookieTransport(name, transport.name, transport.cookie) : new CookieTransport(name, transport.name, transport.cookie);
}

export function timedStorage(session: string, storageName: string, context: PipelineContext): TimedStorage {
  const storage = context.storages.get(storageName);
  if (storage === undefined) {
    throw new SessionConfigError(`session "${session}" uses storage "${storageName}", which was not resolved; declare it under storages: in sessions.yaml`);
  }
  return new TimedStorage(session, storageName, storage, context.storageTimeout, context.emit);
}

/**
 * By id, requests on one id take turns in this process (runtime/tracker/turns.ts); with `concurrency:
 * serialize`, across processes too, through the storage's lock, which the instance must have.
 */
export function byIdTracker(
  definition: SessionDefinition<unknown>,
  transformers: readonly Transformer[],
  storage: TimedStorage,
  context: PipelineContext,
  ids: SessionIdScheme | undefined,
): ByIdTracker {
  const queue = new TurnQueue(definition.name, context.turnTimeouts, context.emit);
  let turns: TurnSource = queue;
  if (definition.concurrency === 'serialize') {
    if (!hasLocks(storage.storage)) {
      throw new SessionConfigError(
        `session "${definition.name}" has concurrency: serialize, but the instance passed for storage "${storage.storageName}" has no lock shared by processes (lock, renewLock and unlock, which RedisStorage has); pass a RedisStorage, or remove concurrency from the session in sessions.yaml`,
      );
    }
    turns = new LockedTurns(queue, storage, storage.storage);
  }
  if (definition.index !== undefined && !hasIndexes(storage.storage)) {
    throw new SessionConfigError(
      `session "${definition.name}" has index:, but the instance passed for storage "${storage.storageName}" keeps no indexes (writeIndexed, invalidateIndexed, listIndex and revokeIndex, which the built-in storages have); pass a built-in storage, or remove index from the session in sessions.yaml`,
    );
  }
  const { index: path, maxPerUser, summary } = definition;
  const index = path === undefined ? undefined : new SessionIndex(definition.name, { path, maxPerUser, summary });
  return new ByIdTracker(definition.name, transformers, storage, definition.expiry, turns, ids, index);
}

/** The rules `validate` checks with a position (runtime/session-rules.ts), for a definition that may be stale or hand-written. */
export function checkSessionRules(definition: SessionDefinition<unknown>): void {
  const facts = sessionFacts(definition);
  const problem =
    expiryProblems(definition.expiry)[0]?.problem ??
    protectionProblem(facts) ??
    facts.transforms.map((kind) => transformFormatProblem(kind, facts.ktorFormat)).find((found) => found !== undefined) ??
    idleProblem(facts) ??
    loadProblem(facts) ??
    flashProblem(facts) ??
    versionFormatProblem(facts.ktorFormat, facts.versioned) ??
    persistenceProblem(facts) ??
    chunkedProblem(facts);
  if (problem !== undefined) throw new SessionConfigError(`session "${definition.name}": ${problem}; fix it in sessions.yaml`);
}
