import type { SessionDefinition } from './definition.js';

/**
 * What a generated provider class is to `installSessions()`: the carrier of one session's definition,
 * from which it builds that session's pipeline (runtime/session-pipeline.ts). Never constructed.
 */
export interface ProviderClass {
  readonly definition: SessionDefinition<any>;
}

/**
 * The base of the generated `<Pascal>SessionProvider` classes, one per session of the spec, each carrying
 * its session's definition as a static field. It holds nothing itself: `T`, the session's value type,
 * names what the class is for, and the static `definition` is typed with it.
 *
 * @example
 * export class UserSessionProvider extends SessionProvider<UserSession> {
 *   static readonly definition: SessionDefinition<UserSession> = { name: 'user', ... };
 * }
 */
export abstract class SessionProvider<T> {}
