/**
 * The demo's payload migrations (docs/schema-evolution.md), named by `history:` in sessions.yaml. The
 * generated code imports each and checks its signature, so one returning the wrong shape does not compile.
 * They run while a session is read: synchronous, and pure (the same payload may be migrated more than once).
 */
import type { UserSessionV1, UserSessionV2 } from '../generated/index.js';

/** Version 1's optional `name` is version 2's required `displayName`; a user who never gave one shows their id. */
export function userV1toV2(user: UserSessionV1): UserSessionV2 {
  const { name, ...kept } = user;
  return { ...kept, displayName: name ?? user.userId };
}
