import { cookieChoice, type CookieOptions } from './cookie-options.js';
import type { SessionDefinition } from './definition.js';
import { formatEnvelope, type CookieChoice, type Envelope } from './envelope.js';
import { SessionUsageError, SessionValidationError } from './errors.js';
import type { RuntimeEvent } from './events.js';
import { FlashCodec, type FlashValues } from './flash.js';
import { requireLayer } from './layers.js';
import type { Lifetime } from './lifetime.js';
import { createJsonSerializer } from './serializer/json.js';
import type { Serializer } from './serializer/serializer.js';
import { ByValueTracker } from './tracker/by-value.js';
import { ByIdTracker } from './tracker/by-id.js';
import { SessionAdmin } from './session-admin.js';
import { SessionReader } from './session-reader.js';
import { Revocation } from './revocation.js';
import { epochSeconds } from './clock.js';
import type { IncomingSession } from './tracker/incoming.js';
import type { SessionSlot } from './tracker/slot.js';
import type { SlotSession } from './tracker/slot-session.js';
import type { Tracker } from './tracker/tracker.js';
import type { TurnHolder } from './tracker/turns.js';
import { createTransformer } from './transform/create-transformer.js';
import { persistentByDefault } from './transport/cookie-rules.js';
import { TOKEN_ALPHABET, type Transport, type UnreadableChunks } from './transport/transport.js';
import { byIdTracker, checkSessionRules, createTransport, timedStorage, type PipelineContext } from './pipeline-parts.js';
import { payloadValidator, type PayloadValidator } from './validation.js';
import { PayloadVersions, type Migration } from './payload-versions.js';

/**
 * One session of the spec at run time, built by `installSessions()` from a generated provider class's
 * static `definition`: the constructor composes transport x tracker x serializer x transformers x storage
 * from that definition, once, and checks payloads with the validator `gen` compiled from the schema.
 * Requests then only run the composed pipeline:
 *
 *   read:  token -> length and alphabet -> transformers undone -> (id -> storage) -> envelope times
 *          -> deserialize -> schema check
 *   write: value -> schema check -> serialize -> envelope -> (storage at commit) -> transformers
 *
 * Internal: neither entry exports it, so its members may name types an app never sees.
 *
 * @example
 * const pipeline = new SessionPipeline(UserSessionProvider.definition, context);
 * const incoming = pipeline.open([token], now, requestSessions);
 */
export class SessionPipeline<T> implements SlotSession {
  readonly name: string;
  readonly transport: Transport;
  readonly #tracker: Tracker;
  readonly #serializer: Serializer<T>;
  /**
   * Whether payloads travel in this library's timestamped envelope. Ktor-format sessions do not: Ktor would
   * misread it, so their expiry is the cookie's Max-Age by value and the storage TTL by id (docs/ktor.md).
   */
  readonly #enveloped: boolean;
  readonly #validate: PayloadValidator;
  /** The payload version writes carry, and the older ones reads migrate from (runtime/payload-versions.ts). */
  readonly #versions: PayloadVersions;
  /** The session's flash keys (`flash:` in the spec), checked on write and on read like the payload. */
  readonly flash: FlashCodec;
  readonly #emit: (event: RuntimeEvent) => void;
  /** `revocation:` in the spec: the per-user stamp a by-value session rechecks (runtime/revocation.ts). */
  readonly #revocation: Revocation | undefined;
  /** `index:` in the spec: the user's sessions listed and revoked (runtime/session-admin.ts). */
  readonly admin: SessionAdmin | undefined;
  /** The read side: tokens opened and decoded (runtime/session-reader.ts). */
  readonly #reader: SessionReader<T>;

  /** Throws `SessionConfigError` for a definition that cannot be served safely. */
  constructor(
    readonly definition: SessionDefinition<T>,
    context: PipelineContext,
  ) {
    const name = definition.name;
    this.name = name;
    // First: a definition from before validators were compiled by `gen` needs regenerating, whatever else it holds.
    this.#validate = payloadValidator(name, definition.validate);
    this.#versions = new PayloadVersions(definition, this.#validate);
    this.flash = new FlashCodec(name, definition.flash);
    checkSessionRules(definition);
    this.transport = createTransport(definition);
    // Ktor's wire format brings its own serializer, transformers, token alphabet and ids (docs/ktor.md).
    const ktor =
      definition.ktor === undefined
        ? undefined
        : requireLayer(context.layers, 'ktor', `session "${name}" is in Ktor's format, which`).createFormat(definition, context.keyRings);
    const transformers = ktor?.transformers ?? definition.transforms.map((transform) => createTransformer(name, transform, context.keyRings));
    this.#tracker =
      definition.storage === undefined
        ? new ByValueTracker(name, transformers, this.transport, definition.expiry)
        : byIdTracker(definition, transformers, timedStorage(name, definition.storage, context), context, ktor?.ids);
    this.#serializer = (ktor?.serializer as Serializer<T> | undefined) ?? definition.serializer ?? createJsonSerializer(name);
    this.#enveloped = ktor === undefined;
    this.#emit = context.emit;
    const { revocation } = definition;
    this.#revocation = revocation === undefined ? undefined : new Revocation(name, revocation, timedStorage(name, revocation.storage, context), definition.expiry.maxAge);
    const tracker = this.#tracker;
    this.#reader = new SessionReader({
      name,
      transport: this.transport,
      tracker,
      serializer: this.#serializer,
      tokenAlphabet: ktor?.tokenAlphabet ?? TOKEN_ALPHABET,
      enveloped: this.#enveloped,
      versions: this.#versions,
      flash: this.flash,
      revocation: this.#revocation,
      emit: this.#emit,
    });
    this.admin = tracker instanceof ByIdTracker && tracker.index !== undefined ? new SessionAdmin(name, this, tracker, tracker.index, () => epochSeconds(context.clock)) : undefined;
  }

  /** The envelope text of a stored entry as the session it holds at `now`, or why it is refused; nothing is reported. */
  inspect(text: string, now: number): IncomingSession<T> {
    return this.#reader.decode({ ok: true, text, stale: false }, now, 'storage', false);
  }

  /**
   * Whether the session has this library's envelope, with its creation time: a session in Ktor's format has
   * none, and counts as created at each read, so each write's cookie lives the full `maxAge` from then.
   */
  get enveloped(): boolean {
    return this.#enveloped;
  }

  /** Whether a request opens this session's token when the handler first uses it (runtime/tracker/tracker.ts). */
  get opensOnAccess(): boolean {
    // A due recheck reads the storage, which cannot wait for a synchronous get().
    return this.#tracker.opensOnAccess && this.#revocation === undefined;
  }

  /** `revocation:` sessions: what ends every session of a user (runtime/revocation.ts). */
  get revocation(): Revocation | undefined {
    return this.#revocation;
  }

  /** `load: lazy`: a by-id session the handler loads with `await ctx.sessions.load(name)`, not loaded before it. */
  get loadsOnDemand(): boolean {
    return this.definition.load === 'lazy';
  }

  /** Every expiry and refresh decision of the session; where the idle clock runs is the tracker's. */
  get lifetime(): Lifetime {
    return this.#tracker.lifetime;
  }

  /** This session's state during one request. */
  createSlot(): SessionSlot {
    return this.#tracker.createSlot(this);
  }

  /**
   * Opens the tokens presented for this session at `now` (epoch seconds), as runtime/session-reader.ts says:
   * by id, `holder` keeps the turn on each id until the request ends.
   */
  open(tokens: readonly string[] | UnreadableChunks, now: number, holder: TurnHolder): IncomingSession<T> | Promise<IncomingSession<T>> {
    return this.#reader.open(tokens, now, holder);
  }

  /** `value`, a payload of this session's `version`, checked and brought to the current version (runtime/payload-versions.ts). */
  upgrade(version: number, value: unknown): Migration {
    return this.#versions.upgrade(version, value);
  }

  /** `value` validated and serialized. Throws `SessionValidationError` (schema, or a value JSON cannot hold). */
  serialize(value: T): string {
    const failure = this.#validate(value);
    if (failure !== undefined) throw new SessionValidationError(this.name, failure.path, failure.detail);
    return this.#serializer.encode(value);
  }

  /**
   * The envelope of `payload` (serialized) and `flash` (checked), for a session created at `createdAt` and set
   * at `now` with the cookie options `choice`, staged by the tracker for commit (by value sealed, by id as
   * the storage entry). Throws `SessionTooLargeError`.
   */
  pack(createdAt: number, now: number, payload: string | undefined, flash: FlashValues, choice?: CookieChoice, checkedAt?: number): string {
    const checked = this.#revocation === undefined ? {} : { checkedAt: checkedAt ?? now };
    const envelope = { createdAt, lastSeenAt: now, payload, flash: this.flash.encode(flash), version: this.#versions.current, ...checked };
    return this.#tracker.stage(this.#frame(choice === undefined ? envelope : { ...envelope, choice }));
  }

  /**
   * What cookie options ask of this session at `now`. Throws `SessionUsageError` for a session that cannot
   * keep them (a header, or Ktor's format, which has no envelope to keep them in) and for options
   * `cookieChoice` refuses.
   */
  choose(options: CookieOptions, now: number): CookieChoice {
    const { transport, expiry } = this.definition;
    if (transport.kind !== 'cookie') {
      throw new SessionUsageError(`session "${this.name}" travels in the ${transport.name} header; set() takes cookie options only for cookie sessions`);
    }
    if (!this.#enveloped) {
      throw new SessionUsageError(`session "${this.name}" is in Ktor's wire format, which has no room to keep cookie options; set() it without them`);
    }
    return cookieChoice(this.name, options, { persistent: persistentByDefault(transport.cookie), maxAge: expiry.maxAge }, now);
  }

  /** The envelope of a loaded session with its last-seen time moved to `now`, staged again. */
  repack(envelope: Envelope, now: number): string {
    return this.#tracker.stage(this.#frame({ ...envelope, lastSeenAt: now }));
  }

  #frame(envelope: Envelope): string {
    // Ktor's format has no envelope, so it carries no flash values: `validate` refuses flash: on such a session.
    return this.#enveloped ? formatEnvelope(envelope) : envelope.payload!;
  }

  emit(event: RuntimeEvent): void {
    this.#emit(event);
  }
}
