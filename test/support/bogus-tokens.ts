/**
 * Bogus session tokens of a chosen length in every format a session can accept, and the installed pipelines
 * that refuse them (security.md #56). Each token is the worst case for its format: it passes every structural
 * check (alphabet, frame header and key id, Ktor's `/` and `:` split, hex shapes) and carries escapes where
 * the format decodes, so refusing it costs a full decode and MAC check before the MAC fails; where there is
 * no MAC (an insecure session), it is built against the payload parser. With them, `Cookie` headers a parser
 * might take quadratic time over (security.md #59). Shared by the refusal tests (test/runtime/refusal-cost.test.ts),
 * the micro benchmark (bench/micro.ts) and the cost figures of bench/promises.ts.
 */
import { randomBytes } from 'node:crypto';
import { ktorLayer } from 'typed-sessions/ktor';
import { generateKey } from 'typed-sessions';
import { GENERATED_FORMAT, type SpecDefinition } from 'typed-sessions/core';
import { install } from '../../runtime/install.js';
import type { SessionPipeline } from '../../runtime/session-pipeline.js';
import type { TurnHolder } from '../../runtime/tracker/turns.js';
import type { DefinitionData } from './compiled-validator.js';
import { provider } from '../runtime/ktor/ktor-fixtures.js';

/** `Cookie` headers of about `length` characters (an even number) that a parser might take quadratic time over. */
export const PATHOLOGICAL_COOKIES: readonly (readonly [string, (length: number) => string])[] = [
  ['";" only', (length) => ';'.repeat(length)],
  ['names without "=", and one "=" at the end', (length) => `${'a;'.repeat(length / 2)}=`],
  ['empty pairs of a session cookie', (length) => 'ksig=; '.repeat(Math.floor(length / 7))],
  ['empty pairs', (length) => '=;'.repeat(length / 2)],
  ['one huge name', (length) => `${'n'.repeat(length)}=1`],
];

/** The format every other refusal is measured against: this library's default for a session by value. */
export const YARDSTICK_FORMAT = 'native encrypt';

export interface RefusalCase {
  /** The format, as the benchmark's rows name it. */
  readonly format: string;
  /** The session's cookie name in `REFUSAL_SPEC`. */
  readonly cookie: string;
  /** Why the bogus token is refused: at the MAC check, or (no MAC) when the payload is parsed. */
  readonly reason: 'tampered' | 'malformed';
  /** Refuses `token` as the middleware does for an incoming cookie. */
  refuse(token: string): { ok: boolean; reason?: string };
  /** A bogus token of exactly `length` characters (a multiple of 4, at least 256). */
  bogus(length: number): string;
}

const cookie = { path: '/', httpOnly: true, secure: false, sameSite: 'lax' } as const;
const expiry = { maxAge: 3600, rolling: false };
const schema = { type: 'object', properties: { userId: { type: 'string' }, cart: { type: 'array', items: { type: 'string' } } } };
const ktorSign = { kind: 'ktor-sign', keys: 'kmac', algorithm: 'sha256' } as const;
const ktorEncrypt = { kind: 'ktor-encrypt', keys: 'kaes', signKeys: 'kmac', legacyMac: false } as const;

type Bogus = (length: number, header: Buffer) => string;

/** One session per format, its cookie named as the session. */
const SESSIONS: readonly Omit<DefinitionData, 'transport' | 'expiry' | 'schema'>[] = [
  { name: 'enc', transforms: [{ kind: 'encrypt', keys: 'main' }] },
  { name: 'sig', transforms: [{ kind: 'sign', keys: 'main' }] },
  { name: 'ksig', ktor: { serializer: 'json' }, transforms: [ktorSign] },
  { name: 'kref', ktor: { serializer: 'reflection' }, transforms: [ktorSign] },
  { name: 'kenc', ktor: { serializer: 'json' }, transforms: [ktorEncrypt] },
  { name: 'klegacy', ktor: { serializer: 'json' }, transforms: [{ ...ktorEncrypt, legacyMac: true }] },
  { name: 'kplain', ktor: { serializer: 'reflection' }, transforms: [], insecure: true },
];

const CASES: readonly { format: string; session: string; bogus: Bogus }[] = [
  { format: 'native encrypt', session: 'enc', bogus: nativeBogus },
  { format: 'native sign', session: 'sig', bogus: nativeBogus },
  { format: 'ktor-sign, JSON', session: 'ksig', bogus: ktorSignBogus },
  { format: 'ktor-sign, reflection', session: 'kref', bogus: ktorSignBogus },
  { format: 'ktor-encrypt', session: 'kenc', bogus: ktorEncryptBogus },
  { format: 'ktor-encrypt, legacyMac', session: 'klegacy', bogus: ktorEncryptBogus },
  { format: 'ktor-reflection, insecure: digits', session: 'kplain', bogus: digitsBogus },
  { format: 'ktor-reflection, insecure: nested lists', session: 'kplain', bogus: nestedListsBogus },
];

export const REFUSAL_SPEC: SpecDefinition = {
  format: GENERATED_FORMAT,
  layers: { ktor: ktorLayer },
  keys: { main: { env: 'MAIN' }, kaes: { env: 'KAES', encoding: 'hex' }, kmac: { env: 'KMAC', encoding: 'hex' } },
  storages: {},
  providers: SESSIONS.map((session) => provider({ ...session, transport: { kind: 'cookie', name: session.name, cookie }, expiry, schema })),
};

/**
 * The longest cookie value every session of `REFUSAL_SPEC` reads, as a multiple of 4: what fits a 4096-byte
 * `Set-Cookie` with the cookie's name and attributes (the transport's `maxTokenLength`, security.md #58).
 */
export const MAX_COOKIE_TOKEN_LENGTH =
  Math.floor(Math.min(...installedPipelines(REFUSAL_SPEC, refusalKeys()).map((pipeline) => pipeline.transport.maxTokenLength)) / 4) * 4;

/** Fresh keys for `REFUSAL_SPEC`, as `installSessions({ keys })` takes them. */
export function refusalKeys(): Record<string, string> {
  return { main: generateKey(), kaes: randomBytes(16).toString('hex'), kmac: randomBytes(32).toString('hex') };
}

/**
 * One case per format of `REFUSAL_SPEC`, its pipeline built as `installSessions()` builds it, with `keys`
 * (pass the server's keys, and native bogus tokens carry the server's key id).
 *
 * @example
 * for (const { refuse, bogus } of refusalCases()) refuse(bogus(MAX_COOKIE_TOKEN_LENGTH)); // { ok: false, reason: 'tampered', ... }
 */
export function refusalCases(keys: Record<string, string> = refusalKeys()): RefusalCase[] {
  const pipelines = new Map(installedPipelines(REFUSAL_SPEC, keys).map((pipeline) => [pipeline.name, pipeline]));
  const now = Math.floor(Date.now() / 1000);
  return CASES.map(({ format, session, bogus }) => {
    const pipeline = pipelines.get(session)!;
    const { ktor, transforms } = pipeline.definition;
    // A real token's version and key id, so a native bogus token gets as far as the MAC.
    const header = ktor === undefined ? Buffer.from(pipeline.pack(now, now, pipeline.serialize({}), new Map()), 'base64url').subarray(0, 5) : Buffer.alloc(0);
    return {
      format,
      cookie: session,
      reason: transforms.length > 0 ? 'tampered' : 'malformed',
      refuse: (token) => pipeline.open([token], now, BY_VALUE) as { ok: boolean; reason?: string },
      bogus: (length) => bogus(length, header),
    };
  });
}

/** Every session of `REFUSAL_SPEC` travels by value, so none takes a turn. */
const BY_VALUE: TurnHolder = {
  takeTurn: () => {
    throw new Error('a by-value session took a turn');
  },
};

/** The pipelines `createSessionsMiddleware` builds for `spec`, one per session in spec order. */
function installedPipelines(spec: SpecDefinition, keys: Record<string, string>): readonly SessionPipeline<unknown>[] {
  return install(spec, { keys, env: {}, logger: { warn: () => {} } }).pipelines;
}

/** Version and key id of a real token, then bytes that fail the MAC: base64url of `length * 3 / 4` bytes. */
function nativeBogus(length: number, header: Buffer): string {
  const frame = Buffer.alloc((length / 4) * 3, 0x5a);
  header.copy(frame);
  return frame.toString('base64url');
}

/** Ktor's cookie encoding of `value/mac`: a value half escapes, half plain characters, and a wrong lower-case MAC. */
function ktorSignBogus(length: number): string {
  const valueLength = length - '%2F'.length - 64;
  return `${'a%7B'.repeat(Math.floor(valueLength / 4))}${'a'.repeat(valueLength % 4)}%2F${'0'.repeat(64)}`;
}

/**
 * Ktor's cookie encoding of `iv/ciphertext:tag`: a 16-byte IV, whole AES blocks of ciphertext, a wrong tag. The
 * characters left over once the blocks are whole are made up by escaping ciphertext digits (`%61` for `a`).
 */
function ktorEncryptBogus(length: number): string {
  const fixed = 32 + '%2F'.length + '%3A'.length + 64;
  const digits = Math.floor((length - fixed) / 32) * 32;
  const escaped = (length - fixed - digits) / 2;
  return `${'0'.repeat(32)}%2F${'%61'.repeat(escaped)}${'a'.repeat(digits - escaped)}%3A${'0'.repeat(64)}`;
}

/**
 * No MAC, so the payload parser is the check: Ktor's reflection text `userId=#f<digits>x` (cookie-encoded), a
 * number a backtracking pattern could take quadratic time to refuse.
 */
function digitsBogus(length: number): string {
  const prefix = 'userId%3D%23f';
  return `${prefix}${'1'.repeat(length - prefix.length - 1)}x`;
}

/**
 * No MAC: `cart=#cl#cl...#clx`, lists inside lists past the reader's depth limit where the schema has a list of
 * strings. A reader that follows the text rather than the schema decodes the rest of the payload once per level.
 */
function nestedListsBogus(length: number): string {
  const prefix = 'cart%3D';
  const levels = Math.min(70, Math.floor((length - prefix.length) / 10));
  return `${prefix}${'%23cl'.repeat(levels)}${'x'.repeat(length - prefix.length - 5 * levels)}`;
}
