import type { TransformDefinition } from '../definition.js';
import { SessionConfigError } from '../errors.js';
import { ringOf, type KeyRing } from '../keys/key-ring.js';
import { transformFormatProblem } from '../session-rules.js';
import { createEncryptTransformer } from './encrypt.js';
import { createSignTransformer } from './sign.js';
import type { Transformer } from './transformer.js';

/**
 * The transformer of one of this library's transforms (`sign`, `encrypt`) of session `session`, over its key
 * ring; Ktor's transforms are built by runtime/ktor/format.ts. Throws `SessionConfigError` for a ring that
 * was not resolved.
 *
 * @example
 * createTransformer('user', { kind: 'encrypt', keys: 'main' }, keyRings);
 */
export function createTransformer(session: string, transform: TransformDefinition, keyRings: ReadonlyMap<string, KeyRing>): Transformer {
  const ring = ringOf(session, keyRings, transform.keys);
  switch (transform.kind) {
    case 'sign':
      return createSignTransformer(ring, session);
    case 'encrypt':
      return createEncryptTransformer(ring, session);
    default:
      // checkSessionRules refused it already; the switch needs a verdict for the type.
      throw new SessionConfigError(`session "${session}": ${transformFormatProblem(transform.kind, false)}`);
  }
}
