/**
 * The per-request building blocks alone, in this process, each timed over a fixed slice of CPU time:
 * sealing and opening a token (encrypt, sign; opening one not seen lately, and one seen lately), checking a
 * payload against its compiled schema, picking the session cookie out of a `Cookie` header, and refusing a
 * bogus cookie of the longest accepted length in each format a session can read (security.md #56). A JSON round trip of the same payload is the
 * yardstick every figure is also given against.
 */
import { parseKeyRing } from '../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../runtime/transform/encrypt.js';
import { createSignTransformer } from '../runtime/transform/sign.js';
import { parseCookies } from '../runtime/transport/cookie.js';
import { payloadValidator } from '../runtime/validation.js';
import { MAX_COOKIE_TOKEN_LENGTH, refusalCases } from '../test/support/bogus-tokens.js';
import { EncryptedSessionProvider } from './app/generated/index.js';

export interface MicroFigure {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly nanosPerOp: number;
}

interface Operation {
  readonly name: string;
  /** Returns something, so the work cannot be optimized away. */
  readonly run: () => unknown;
}

/** Distinct tokens the unseal rows cycle through: several times what a transformer remembers. */
const UNSEEN_TOKENS = 20_000;

/** The reference operation; every other figure is also reported as a multiple of its cost. */
export const YARDSTICK = 'JSON stringify + parse of the payload';

/** Runs each operation for `millis` milliseconds of CPU time (after a tenth of that as warm-up). */
export function runMicro(key: string, millis: number): MicroFigure[] {
  return operations(key).map((operation) => time(operation, millis));
}

function operations(key: string): Operation[] {
  const ring = parseKeyRing('bench', key, 'the benchmark key');
  const encrypt = createEncryptTransformer(ring, 'encrypted');
  const sign = createSignTransformer(ring, 'signed');
  const payload = { userId: 'bench-user', count: 41 };
  // What a by-value session seals: the envelope around the payload (runtime/envelope.ts).
  const envelope = `1700000000.1700000000.${JSON.stringify(payload)}`;
  const sealed = encrypt.seal(envelope);
  const signed = sign.seal(envelope);
  // Tokens these transformers never saw, more than they remember (runtime/transform/verified-tokens.ts), taken
  // in turn: each unseal then runs the whole check, as for a token another process issued.
  const unseen = (transformer: typeof encrypt) => {
    const tokens = Array.from({ length: UNSEEN_TOKENS }, (_, index) => transformer.seal(`1700000000.1700000000.${JSON.stringify({ ...payload, count: index })}`));
    let next = 0;
    return () => tokens[(next = (next + 1) % tokens.length)]!;
  };
  const unseenEncrypted = unseen(createEncryptTransformer(ring, 'encrypted'));
  const unseenSigned = unseen(createSignTransformer(ring, 'signed'));
  const validate = payloadValidator('encrypted', EncryptedSessionProvider.definition.validate);
  const header = `_ga=GA1.2.1234567890.1700000000; theme=dark; bench_enc=${sealed}; consent=yes`;
  const names = new Set(['bench_enc', 'bench_sig', 'bench_mem', 'bench_redis']);
  return [
    { name: YARDSTICK, run: () => JSON.parse(JSON.stringify(payload)) },
    { name: 'encrypt: seal (AES-256-GCM)', run: () => encrypt.seal(envelope) },
    { name: 'encrypt: unseal, a token not seen lately', run: () => encrypt.unseal(unseenEncrypted()) },
    { name: 'encrypt: unseal, a token seen lately (from memory)', run: () => encrypt.unseal(sealed) },
    { name: 'sign: seal (HMAC-SHA256)', run: () => sign.seal(envelope) },
    { name: 'sign: verify, a token not seen lately', run: () => sign.unseal(unseenSigned()) },
    { name: 'sign: verify, a token seen lately (from memory)', run: () => sign.unseal(signed) },
    { name: 'payload validation (compiled ajv)', run: () => validate(payload) },
    { name: 'cookie parse (4 cookies)', run: () => parseCookies(header, names) },
    ...refusalCases().map(({ format, refuse, bogus }) => {
      const token = bogus(MAX_COOKIE_TOKEN_LENGTH);
      return { name: `refuse a bogus 4 KB cookie: ${format}`, run: () => refuse(token) };
    }),
  ];
}

/** CPU time (user + system), not wall time: other processes on the machine then inflate it far less. */
function time(operation: Operation, millis: number): MicroFigure {
  const batch = 1000;
  let sink: unknown;
  const warmUntil = performance.now() + millis / 10;
  while (performance.now() < warmUntil) for (let index = 0; index < batch; index += 1) sink = operation.run();
  let done = 0;
  const start = process.cpuUsage();
  let micros = 0;
  while (micros < millis * 1000) {
    for (let index = 0; index < batch; index += 1) sink = operation.run();
    done += batch;
    const used = process.cpuUsage(start);
    micros = used.user + used.system;
  }
  if (sink === Symbol.for('never')) throw new Error('unreachable');
  return { name: operation.name, opsPerSecond: (done / micros) * 1e6, nanosPerOp: (micros * 1000) / done };
}
