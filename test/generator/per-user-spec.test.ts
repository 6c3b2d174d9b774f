/**
 * The per-user settings through the generator's entry, beyond what the error table holds: the warning for a
 * revocation check that fails open, and what `normalize` makes of `onStoreDown`.
 */
import { describe, expect, it } from 'vitest';
import { loadSpecText } from '../../generator/spec.js';

function specWithRevocation(revocation: string): string {
  return `version: 1
keys:
  main: { env: SESSION_KEYS }
storages:
  redis: { kind: redis, url: { env: REDIS_URL } }
sessions:
  user:
    transform: [{ encrypt: main }]
    revocation: ${revocation}
    schema: { type: object, properties: { userId: { type: string } }, required: [userId], additionalProperties: false }
`;
}

describe('revocation.onStoreDown', () => {
  it('allow is accepted with a warning at its position: a store outage then suspends revocation', () => {
    const result = loadSpecText(specWithRevocation('{ storage: redis, key: userId, recheck: 5m, onStoreDown: allow }'), 'sessions.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings.map((warning) => `${warning.line}:${warning.col}: ${warning.message}`)).toEqual([
      '9:74: sessions.user.revocation.onStoreDown: allow accepts a cookie unchecked whenever its recheck finds the storage down, so a revoked cookie keeps working for as long as the outage lasts (anyone who can make the storage unreachable extends it), not only recheck longer; remove it to answer such requests with 503 (deny, the default)',
    ]);
    expect(result.model.sessions[0]?.revocation).toEqual({ storage: 'redis', key: ['userId'], recheck: 300, onStoreDown: 'allow' });
  });

  it.each(['{ storage: redis, key: userId, recheck: 5m }', '{ storage: redis, key: userId, recheck: 5m, onStoreDown: deny }'])(
    'deny, written or left out, fails closed without a warning: %s',
    (revocation) => {
      const result = loadSpecText(specWithRevocation(revocation), 'sessions.yaml');
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.warnings).toEqual([]);
      expect(result.model.sessions[0]?.revocation?.onStoreDown).toBe('deny');
    },
  );
});
