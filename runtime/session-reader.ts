import { parseEnvelope } from './envelope.js';
import type { RejectionSource, RuntimeEvent } from './events.js';
import { NO_FLASH, type FlashCodec, type FlashValues } from './flash.js';
import type { PayloadVersions } from './payload-versions.js';
import type { Revocation } from './revocation.js';
import type { Serializer } from './serializer/serializer.js';
import type { IncomingSession, Opened, Refused } from './tracker/incoming.js';
import type { Tracker } from './tracker/tracker.js';
import type { TurnHolder } from './tracker/turns.js';
import { MAX_PRESENTED_TOKENS, type Transport, type UnreadableChunks } from './transport/transport.js';

const AMBIGUOUS: Refused = { ok: false, reason: 'ambiguous', source: 'token' };
const MALFORMED: Refused = { ok: false, reason: 'malformed', source: 'token' };
const TOO_LARGE: Refused = { ok: false, reason: 'too_large', source: 'token' };

/** What reading uses of its session, composed once by the constructor of `SessionPipeline` (runtime/session-pipeline.ts). */
export interface ReadingParts<T> {
  readonly name: string;
  readonly transport: Transport;
  readonly tracker: Tracker;
  readonly serializer: Serializer<T>;
  /** The characters a token may hold: this library's, or Ktor's (docs/ktor.md). */
  readonly tokenAlphabet: RegExp;
  /** Whether payloads travel in this library's timestamped envelope; Ktor-format sessions' do not. */
  readonly enveloped: boolean;
  readonly versions: PayloadVersions;
  readonly flash: FlashCodec;
  readonly revocation: Revocation | undefined;
  readonly emit: (event: RuntimeEvent) => void;
}

/**
 * The read side of one session's pipeline: token -> length and alphabet -> transformers undone -> (id ->
 * storage) -> envelope times -> deserialize -> schema check, then the revocation recheck and the events
 * that report what was refused.
 *
 * @example
 * const reader = new SessionReader(parts);
 * const incoming = reader.open([token], now, requestSessions);
 */
export class SessionReader<T> {
  readonly #parts: ReadingParts<T>;

  constructor(parts: ReadingParts<T>) {
    this.#parts = parts;
  }

  /**
   * Opens the tokens presented for this session at `now` (epoch seconds). Several tokens come from a
   * repeated cookie name or chunk: a value is used only when exactly one of them verifies (security.md #4).
   * Chunks that make no token are refused as they are (#67). Every refusal is reported as one `rejected`
   * event, and a session past its time then as one `expired` event. By id, `holder` keeps the turn on each
   * id until the request ends. Storage faults throw `SessionStorageError`, a turn that does not come
   * `SessionBusyError`.
   */
  open(tokens: readonly string[] | UnreadableChunks, now: number, holder: TurnHolder): IncomingSession<T> | Promise<IncomingSession<T>> {
    const result =
      'reason' in tokens
        ? refused(tokens.reason, 'token')
        : tokens.length === 1
          ? this.#openToken(tokens[0]!, now, holder)
          : tokens.length > MAX_PRESENTED_TOKENS
            ? AMBIGUOUS
            : this.#openEach(tokens, now, holder);
    const checked =
      this.#parts.revocation === undefined
        ? result
        : result instanceof Promise
          ? result.then((settled) => this.#recheck(settled, now))
          : this.#recheck(result, now);
    return checked instanceof Promise ? checked.then((settled) => this.#report(settled)) : this.#report(checked);
  }

  /** A loaded session whose revocation check is due, after reading its user's stamp; any other as it is. */
  #recheck(loaded: IncomingSession<T>, now: number): IncomingSession<T> | Promise<IncomingSession<T>> {
    return loaded.ok && this.#parts.revocation!.isDue(loaded, now) ? this.#parts.revocation!.recheck(loaded, now) : loaded;
  }

  #openEach(tokens: readonly string[], now: number, holder: TurnHolder): IncomingSession<T> | Promise<IncomingSession<T>> {
    const results = tokens.map((token) => this.#openToken(token, now, holder));
    return results.some((result) => result instanceof Promise) ? Promise.all(results).then(pickOne) : pickOne(results as IncomingSession<T>[]);
  }

  #openToken(token: string, now: number, holder: TurnHolder): IncomingSession<T> | Promise<IncomingSession<T>> {
    // O(1) and before any decoding: oversized input costs nothing (security.md #3).
    if (token.length > this.#parts.transport.maxTokenLength) return TOO_LARGE;
    if (!this.#parts.tokenAlphabet.test(token)) return MALFORMED;
    return this.#parts.tracker.load(token, (opened, source) => this.decode(opened, now, source), holder);
  }

  /**
   * The opened text as the session it holds at `now`, or why it is refused. `report`: emit what decoding
   * finds (a migration, dropped flash values); an admin's look reports nothing.
   */
  decode(opened: Opened, now: number, source: RejectionSource, report = true): IncomingSession<T> {
    // Without an envelope (Ktor's format) the session counts as created now: each write gets the full maxAge.
    let envelope = this.#parts.enveloped ? parseEnvelope(opened.text) : { createdAt: now, lastSeenAt: now, payload: opened.text };
    if (envelope === undefined) return refused('malformed', source);
    if (this.#parts.enveloped && this.#parts.tracker.lifetime.isStampedAhead(envelope, now)) return refused('expired', source);
    if (this.#parts.enveloped && this.#parts.tracker.lifetime.isExpired(envelope, now)) return { ok: false, reason: 'expired', source, outlived: true };
    let value: unknown;
    let migratedFrom: number | undefined;
    if (envelope.payload !== undefined) {
      try {
        value = this.#parts.serializer.decode(envelope.payload);
      } catch {
        return refused('malformed', source);
      }
      const read = this.#parts.versions.read(envelope, value, (migrated) => this.#parts.serializer.encode(migrated as T));
      if (!read.ok) return read.reason === 'schema' ? refused('schema', source) : { ok: false, reason: read.reason, source, migration: read.failure };
      ({ value, envelope, migratedFrom } = read);
      if (migratedFrom !== undefined && report)
        this.#parts.emit({ type: 'migrated', session: this.#parts.name, fromVersion: migratedFrom, toVersion: this.#parts.versions.current });
    }
    const loaded = {
      ok: true as const,
      value: value as T | undefined,
      flash: this.#decodeFlash(envelope.flash, report),
      envelope,
      id: opened.id,
      key: opened.key,
      version: opened.version,
      stale: opened.stale,
    };
    return migratedFrom === undefined ? loaded : { ...loaded, migratedFrom };
  }

  #decodeFlash(text: string | undefined, report: boolean): FlashValues {
    if (text === undefined) return NO_FLASH;
    const { values, dropped } = this.#parts.flash.decode(text);
    if (dropped && report) this.#parts.emit({ type: 'flash_dropped', session: this.#parts.name });
    return values;
  }

  #report(result: IncomingSession<T>): IncomingSession<T> {
    if (result.ok) return result;
    const { reason, source, migration } = result;
    this.#parts.emit({ type: 'rejected', session: this.#parts.name, reason, source, ...migration });
    // The refusal keeps its reason code (README "Errors you can meet"); an audit log also learns the session ended.
    if (result.outlived) this.#parts.emit({ type: 'expired', session: this.#parts.name });
    return result;
  }
}

function refused(reason: Refused['reason'], source: RejectionSource): Refused {
  return { ok: false, reason, source };
}

/** Exactly one verified value wins; none is the first refusal; several is ambiguous (security.md #4). */
function pickOne<T>(results: readonly IncomingSession<T>[]): IncomingSession<T> {
  const verified = results.filter((result) => result.ok);
  if (verified.length === 1) return verified[0]!;
  return verified.length > 1 ? AMBIGUOUS : results[0]!;
}
