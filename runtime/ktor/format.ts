import type { SessionDefinition, TransformDefinition } from '../definition.js';
import { SessionConfigError } from '../errors.js';
import { transformFormatProblem } from '../session-rules.js';
import { ringOf, type KeyRing } from '../keys/key-ring.js';
import type { SessionIdScheme } from '../ids.js';
import type { Serializer } from '../serializer/serializer.js';
import type { Transformer } from '../transform/transformer.js';
import { ktorCookieValue } from './cookie-value.js';
import { createKtorEncryptTransformer } from './encrypt-transformer.js';
import { createKtorJsonSerializer } from './json-serializer.js';
import { createKtorReflectionSerializer, reflectionSchemaProblem } from './reflection-serializer.js';
import { generateKtorSessionId, isKtorSessionId } from './session-ids.js';
import { createKtorSignTransformer } from './sign-transformer.js';

/**
 * What a session in Ktor's wire format (`definition.ktor`) is made of, in place of this library's own
 * serializer, transformers, token alphabet and ids. `SessionPipeline` composes it exactly like the native parts.
 */
export interface KtorFormat {
  readonly serializer: Serializer<unknown>;
  /** The session's `ktor-*` transforms in spec order, then the transport's value encoding. */
  readonly transformers: readonly Transformer[];
  /**
   * Incoming values considered at all: printable ASCII. Ktor's tokens hold `/`, `:` and `%` (cookies) or raw
   * JSON (headers), so base64url does not fit; the transformers and serializer refuse what is malformed.
   */
  readonly tokenAlphabet: RegExp;
  /** By id: Ktor's lower-case hex ids. */
  readonly ids: SessionIdScheme;
}

/**
 * Ktor stores a session under its raw id (`SessionStorage.write(id, text)`), so a storage shared with a Ktor
 * service must see the raw id: the hashed keys of security.md #42 do not apply to Ktor-format sessions.
 */
const KTOR_IDS: SessionIdScheme = { generate: generateKtorSessionId, isWellFormed: isKtorSessionId, storageKey: (_session, id) => id };

/** Header transport carries Ktor's value as it is (wire doc section 2.10). */
const rawHeaderValue: Transformer = { seal: (text) => text, unseal: (token) => ({ ok: true, text: token, stale: false }) };

const KTOR_TOKEN_ALPHABET = /^[\x20-\x7e]+$/;

/**
 * Builds the Ktor format of `definition` from the resolved key rings. Throws `SessionConfigError` for a
 * definition Ktor's format cannot serve: a native transform, a key of the wrong size, a schema the reflection
 * format cannot write.
 *
 * @example
 * const format = createKtorFormat(KtorUserSessionProvider.definition, keyRings);
 */
export function createKtorFormat(definition: SessionDefinition<unknown>, keyRings: ReadonlyMap<string, KeyRing>): KtorFormat {
  const { name, ktor } = definition;
  if (ktor === undefined) throw new TypeError(`session "${name}" is not in Ktor's format`);
  const ring = (ringName: string): KeyRing => ringOf(name, keyRings, ringName);
  const transformers = definition.transforms.map((transform): Transformer => {
    switch (transform.kind) {
      case 'ktor-sign':
        return createKtorSignTransformer(ring(transform.keys), transform.algorithm);
      case 'ktor-encrypt':
        return createKtorEncryptTransformer(ring(transform.keys), ring(transform.signKeys), { legacyMac: transform.legacyMac });
      default:
        throw new SessionConfigError(`session "${name}": ${transformFormatProblem(transform.kind, true)}`);
    }
  });
  if (ktor.serializer === 'reflection') {
    const problem = reflectionSchemaProblem(definition.schema);
    if (problem !== undefined) throw new SessionConfigError(`session "${name}" uses serializer ktor-reflection, but its schema ${problem}`);
  }
  return {
    serializer:
      ktor.serializer === 'json' ? createKtorJsonSerializer(name, definition.schema) : createKtorReflectionSerializer(name, definition.schema),
    transformers: [...transformers, definition.transport.kind === 'cookie' ? ktorCookieValue : rawHeaderValue],
    tokenAlphabet: KTOR_TOKEN_ALPHABET,
    ids: KTOR_IDS,
  };
}

/**
 * The key rings a transform uses as raw HMAC keys (Ktor's), whose length `shortHmacKeyWarning` checks.
 *
 * @example
 * ktorHmacKeyRings({ kind: 'ktor-encrypt', keys: 'aes', signKeys: 'mac', legacyMac: false }); // ['mac']
 */
export function ktorHmacKeyRings(transform: TransformDefinition): string[] {
  switch (transform.kind) {
    case 'ktor-sign':
      return [transform.keys];
    case 'ktor-encrypt':
      return [transform.signKeys];
    default:
      return [];
  }
}
