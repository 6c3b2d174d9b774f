/**
 * Flash values (React Router's `session.flash`, Rails' `flash`): values a request leaves for a later one,
 * which the first request that reads them takes out of the session. Each session declares its keys and a
 * schema per key in the spec (`flash:`); `gen` compiles each schema like the payload's. They travel in
 * the session's own envelope (runtime/envelope.ts), so the seal or the storage entry that protects the
 * payload protects them too, bound to the session's name; and they are bounded: only declared keys, each
 * at most one value (a new one replaces the old), all within the token or storage limit.
 */
import type { CompiledValidator } from './definition.js';
import { SessionUsageError, SessionValidationError } from './errors.js';
import { createJsonSerializer, nonJsonValue } from './serializer/json.js';
import { payloadValidator, type PayloadValidator } from './validation.js';

/** Flash values by key, in the order they were set. */
export type FlashValues = ReadonlyMap<string, unknown>;

export const NO_FLASH: FlashValues = new Map();

/**
 * A session's flash keys and their compiled validators: checks values on write, encodes them into the
 * envelope's flash field and decodes them back.
 *
 * @example
 * const flash = new FlashCodec('user', { notice: validators.validateUserFlashNotice });
 * flash.check('notice', 'Saved');
 * flash.decode(flash.encode(new Map([['notice', 'Saved']]))!); // { values: Map { notice: 'Saved' }, dropped: false }
 */
export class FlashCodec {
  readonly #session: string;
  readonly #validators: ReadonlyMap<string, PayloadValidator>;
  readonly #json;

  constructor(session: string, validators: Readonly<Record<string, CompiledValidator>> = {}) {
    this.#session = session;
    this.#validators = new Map(Object.entries(validators).map(([key, compiled]) => [key, payloadValidator(session, compiled)]));
    this.#json = createJsonSerializer(session);
  }

  /** Throws `SessionUsageError` unless the spec declares flash value `key` for the session. */
  requireKey(key: string): void {
    if (this.#validators.has(key)) return;
    const declared = [...this.#validators.keys()];
    throw new SessionUsageError(
      declared.length === 0
        ? `session "${this.#session}" declares no flash values; declare them under flash: in sessions.yaml`
        : `session "${this.#session}" declares no flash value "${key}"; sessions.yaml declares ${declared.join(', ')}`,
    );
  }

  /** Throws `SessionUsageError` for an undeclared key, `SessionValidationError` for a value its schema or JSON refuses. */
  check(key: string, value: unknown): void {
    this.requireKey(key);
    const failure = this.#validators.get(key)!(value) ?? nonJsonValue(value);
    if (failure !== undefined) throw new SessionValidationError(this.#session, failure.path, failure.detail, `flash "${key}"`);
  }

  /** The envelope's flash field for `values`, checked already; `undefined` when there are none. */
  encode(values: FlashValues): string | undefined {
    return values.size === 0 ? undefined : JSON.stringify(Object.fromEntries(values));
  }

  /**
   * The values in an envelope's flash field. What the seal vouches for may still be stale: a key the spec no
   * longer declares, or a value its schema now refuses, is dropped, not the session (the payload and the
   * user's sign-in outlive a change to a notice's schema); text that is no JSON object drops them all.
   * `dropped` says whether anything was.
   */
  decode(text: string): { readonly values: FlashValues; readonly dropped: boolean } {
    let parsed: unknown;
    try {
      parsed = this.#json.decode(text);
    } catch {
      return { values: NO_FLASH, dropped: true };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { values: NO_FLASH, dropped: true };
    const values = new Map<string, unknown>();
    let dropped = false;
    for (const [key, value] of Object.entries(parsed)) {
      const validate = this.#validators.get(key);
      if (validate !== undefined && validate(value) === undefined) values.set(key, value);
      else dropped = true;
    }
    return { values, dropped };
  }
}
