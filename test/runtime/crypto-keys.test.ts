import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../../runtime/errors.js';
import { generateKey } from '../../runtime/keygen.js';
import { parseKeyRing, resolveKeyRing } from '../../runtime/keys/key-ring.js';

const ENV = 'environment variable SESSION_KEYS';
const FIX = 'Replace it with a key from `npx typed-sessions keygen`.';
const K1 = generateKey();
const K2 = generateKey();
const bytes = (length: number, value: (index: number) => number) => Buffer.from(Array.from({ length }, (_, i) => value(i)));
/** Two keys whose 32-bit key ids collide, found by a birthday search over random keys. */
const SAME_ID = ['VDam-1bB_fUDcEo30ooXbsqUykIPXLXikI8EY5myuLg', 'B3m1sRRZ9VH2iLvMDtshNSYjcDdP8gxoN_YYpb0RVyA'];

function configError(value: string | readonly string[]): SessionConfigError {
  try {
    parseKeyRing('main', value, ENV);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError);
    return error as SessionConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('#26 weak key rings are start-up errors', () => {
  const table: { name: string; given: string | readonly string[]; want: string }[] = [
    {
      name: 'empty',
      given: '',
      want: `key ring "main" (${ENV}) is empty. Set it to one or more keys, comma-separated, newest first; make a key with \`npx typed-sessions keygen\`.`,
    },
    { name: 'only commas and spaces', given: ' , ,', want: `key ring "main" (${ENV}) is empty. Set it` },
    { name: 'empty array', given: [], want: `key ring "main" (${ENV}) is empty.` },
    ...[
      ['a Buffer', Buffer.from(K1, 'base64url')],
      ['an array holding a number', [K1, 42]],
    ].map(([name, given]) => ({
      name: name as string,
      given: given as unknown as string,
      want: `key ring "main" (${ENV}) must be a string of comma-separated keys or an array of key strings. Set it`,
    })),
    {
      name: 'an empty entry between keys',
      given: `${K1},,${K2}`,
      want: `key ring "main" (${ENV}): key 2 of 3 is empty (a stray comma?). Remove it: keys are comma-separated, newest first.`,
    },
    { name: 'a trailing comma', given: `${K1},`, want: `key ring "main" (${ENV}): key 2 of 2 is empty (a stray comma?).` },
    ...['keyboard cat', 'secret', 'changeme', 'CHANGE_ME', 'Keyboard-Cat', 'your-secret-key', 'password'].map((given) => ({
      name: `placeholder "${given}"`,
      given,
      want: `key ring "main" (${ENV}): key 1 of 1 is a well-known placeholder, not a secret. ${FIX}`,
    })),
    {
      name: 'a placeholder behind a good key',
      given: `${K1},keyboard cat`,
      want: `key ring "main" (${ENV}): key 2 of 2 is a well-known placeholder, not a secret. ${FIX}`,
    },
    ...[
      ['characters outside both alphabets', `${K1.slice(0, 40)}!!!`],
      ['mixed alphabets', `${'ab+c'.repeat(5)}${'ab-c'.repeat(6)}`],
      ['whitespace inside', `${K1.slice(0, 20)} ${K1.slice(20)}`],
      ['three padding characters', `${K1}===`],
      ['padding that does not fit the length', `${K1}==`],
      ['non-canonical trailing bits', `${K1.slice(0, 42)}${K1.endsWith('B') ? 'C' : 'B'}`],
      ['hex with a 0x prefix', `0x${'ab'.repeat(32)}`],
    ].map(([name, given]) => ({
      name: name!,
      given: given!,
      want: `key ring "main" (${ENV}): key 1 of 1 is not valid base64url or base64. ${FIX}`,
    })),
    {
      name: '16 random bytes',
      given: bytes(16, (i) => i * 7).toString('base64url'),
      want: `key ring "main" (${ENV}): key 1 of 1 decodes to 16 bytes; a key needs at least 32 random bytes. ${FIX}`,
    },
    {
      name: '31 bytes',
      given: bytes(31, (i) => i * 7).toString('base64'),
      want: `key ring "main" (${ENV}): key 1 of 1 decodes to 31 bytes; a key needs at least 32 random bytes.`,
    },
    {
      name: 'all one byte',
      given: 'A'.repeat(43),
      want: `key ring "main" (${ENV}): key 1 of 1 has only 1 distinct byte value in 32 bytes, so it is not random. ${FIX}`,
    },
    {
      name: 'a short repeating pattern',
      given: bytes(48, (i) => (i % 6) * 40).toString('base64url'),
      want: `key ring "main" (${ENV}): key 1 of 1 has only 6 distinct byte values in 48 bytes, so it is not random.`,
    },
    {
      name: '15 distinct values in 32 bytes',
      given: bytes(32, (i) => i % 15).toString('base64url'),
      want: `key ring "main" (${ENV}): key 1 of 1 has only 15 distinct byte values in 32 bytes, so it is not random.`,
    },
    {
      name: 'a repeated key',
      given: `${K1},${K2},${K1}`,
      want: `key ring "main" (${ENV}): key 3 of 3 repeats key 1; each key must be different. Remove it.`,
    },
    {
      name: 'a repeated key in another encoding',
      given: [K1, Buffer.from(K1, 'base64url').toString('base64')],
      want: `key ring "main" (${ENV}): key 2 of 2 repeats key 1; each key must be different. Remove it.`,
    },
    {
      name: 'two keys with the same key id',
      given: SAME_ID,
      want: `key ring "main" (${ENV}): key 2 of 2 has the same key id as key 1. ${FIX}`,
    },
  ];

  it.each(table)('#26 $name', ({ given, want }) => {
    const error = configError(given);
    expect(error.message.startsWith(want), error.message).toBe(true);
    expect(error.code).toBe('SESSION_CONFIG');
    expect(error.name).toBe('SessionConfigError');
  });

  it('#26 messages never repeat the key text', () => {
    for (const { given } of table) {
      const message = configError(given).message;
      for (const key of typeof given === 'string' ? given.split(',') : given) {
        if (typeof key === 'string' && key.trim().length >= 8) expect(message).not.toContain(key.trim());
      }
    }
  });

  it('#26 16 distinct values in 32 bytes is the lowest accepted', () => {
    expect(parseKeyRing('main', bytes(32, (i) => i % 16).toString('base64url'), ENV).keys).toHaveLength(1);
  });
});

describe('accepted key formats', () => {
  const secret = Buffer.from(K1, 'base64url');

  it.each([
    ['base64url', K1],
    ['standard base64 with padding', secret.toString('base64')],
    ['standard base64 without padding', secret.toString('base64').replace(/=+$/, '')],
    ['base64url with padding', `${K1}=`],
    ['surrounded by spaces', `  ${K1}\t`],
  ])('reads %s', (_, given) => {
    expect(parseKeyRing('main', given, ENV).keys[0]!.secret.equals(secret)).toBe(true);
  });

  it('reads longer keys and hex text of 32 bytes (64 characters) as base64', () => {
    expect(parseKeyRing('main', bytes(64, (i) => i * 3).toString('base64url'), ENV).keys[0]!.secret).toHaveLength(64);
    expect(parseKeyRing('main', 'a1b2c3d4e5f60718293a4b5c6d7e8f90'.repeat(2), ENV).keys[0]!.secret).toHaveLength(48);
  });

  it('splits a string on commas, newest first, trimming spaces; an array keeps its order', () => {
    const fromString = parseKeyRing('main', ` ${K1} , ${K2}`, ENV);
    const fromArray = parseKeyRing('main', [K1, K2], ENV);
    expect(fromString.keys.map((key) => key.secret.toString('base64url'))).toEqual([K1, K2]);
    expect(fromArray.keys).toEqual(fromString.keys);
    expect(fromString).toMatchObject({ name: 'main', source: ENV });
  });

  it('#16 key ids come from the secret, not the position: stable across rotations', () => {
    const before = parseKeyRing('main', [K1], ENV);
    const after = parseKeyRing('main', [K2, K1], ENV);
    expect(after.keys[1]!.id).toBe(before.keys[0]!.id);
    expect(after.keys[0]!.id).not.toBe(after.keys[1]!.id);
    expect(before.keys[0]!.id).toMatch(/^[0-9a-f]{8}$/);
  });

  it('accepts every key generateKey() makes', () => {
    for (let i = 0; i < 1000; i++) {
      const key = generateKey();
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(parseKeyRing('main', key, ENV).keys[0]!.secret).toHaveLength(32);
    }
  });
});

describe('resolveKeyRing', () => {
  it('reads the environment variable, naming it as the source', () => {
    const ring = resolveKeyRing('main', 'SESSION_KEYS', { SESSION_KEYS: `${K1},${K2}` });
    expect(ring.source).toBe(ENV);
    expect(ring.keys).toHaveLength(2);
  });

  it('prefers installSessions({ keys }) over the environment, naming the option as the source', () => {
    const ring = resolveKeyRing('main', 'SESSION_KEYS', { SESSION_KEYS: K1 }, [K2]);
    expect(ring.source).toBe('installSessions({ keys: { main } })');
    expect(ring.keys[0]!.secret.toString('base64url')).toBe(K2);
    expect(() => resolveKeyRing('main', 'SESSION_KEYS', { SESSION_KEYS: K1 }, 'secret')).toThrow(
      'key ring "main" (installSessions({ keys: { main } })): key 1 of 1 is a well-known placeholder',
    );
  });

  it.each([
    ['unset', {}],
    ['an inherited name', Object.create({ SESSION_KEYS: K1 }) as Record<string, string>],
  ])('a variable that is %s is a start-up error naming it', (_, env) => {
    expect(() => resolveKeyRing('main', 'SESSION_KEYS', env)).toThrow(
      new SessionConfigError(
        'key ring "main": environment variable SESSION_KEYS is not set. Set it to one or more keys, comma-separated, newest first; make a key with `npx typed-sessions keygen`. Or pass installSessions({ keys: { main: ... } }).',
      ),
    );
  });

  it('an empty variable is a start-up error naming it', () => {
    expect(() => resolveKeyRing('main', 'SESSION_KEYS', { SESSION_KEYS: '' })).toThrow(
      `key ring "main" (${ENV}) is empty.`,
    );
  });
});
