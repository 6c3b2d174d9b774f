/**
 * The generator's model of a spec: plain readonly data, built by `normalize` from a validated spec and read
 * by the emitters. Its key rings, storages and sessions are the runtime's own definition data
 * (runtime/definition.ts, through `typed-sessions/rules`), so the generated definition prints them as they
 * are; a session node adds only what the generator alone needs. Nothing here knows about YAML positions or
 * TypeScript syntax.
 */
import type { KeyRingDefinition, SessionSettings, StorageDefinition } from 'typed-sessions/rules';
import { providerName, sessionTypeName, versionTypeName } from './names.js';
import type { JsonSchema, TypeNode } from './payload-schema.js';

/** An export of the app's own module (a codec, a migration): `module` is relative to the spec file's folder, as written. */
export interface SerializerModule {
  readonly module: string;
  readonly export: string;
}

/**
 * A session: the `SessionSettings` its generated definition holds, and what the generator needs to write
 * the rest of it (its types, its validator, the import of its codec).
 */
export interface SessionNode extends SessionSettings {
  /** `UserSession`. */
  readonly typeName: string;
  /** `UserSessionProvider`. */
  readonly providerName: string;
  /** The payload schema as written (with `$ref: '#/types/NAME'`); the definition holds it self-contained. */
  readonly schema: JsonSchema;
  /** Present: the codec the definition's `serializer` imports; absent: JSON, or Ktor's (`ktor`). */
  readonly serializer?: SerializerModule;
  /** Flash values, each key's schema as written; absent when the session declares none. */
  readonly flash?: Readonly<Record<string, JsonSchema>>;
  /** Older payload versions still read, oldest first, each migrating to the next; absent when none are kept. */
  readonly history?: readonly PayloadVersionNode[];
  /**
   * The spec's note that a change ends the session's live tokens on purpose: `check --against` accepts the
   * session's breaking changes where this differs from the older spec's. Nothing generated reads it.
   */
  readonly acknowledgeLogout?: string;
}

/** An older payload version: the schema its payloads were written under, and the migration to `version + 1`. */
export interface PayloadVersionNode {
  readonly version: number;
  /** `UserSessionV1`. */
  readonly typeName: string;
  readonly schema: JsonSchema;
  readonly migrate: SerializerModule;
}

export const SessionNode = {
  /**
   * A session node with the TypeScript names of its session (names.ts), so the rules and the emitters
   * derive them the same way.
   *
   * @example
   * SessionNode.create({ name: 'user', transport, transforms: [], expiry }, { schema: { $ref: '#/types/User' } }).typeName; // 'UserSession'
   */
  create(settings: SessionSettings, payload: Pick<SessionNode, 'schema' | 'serializer' | 'flash' | 'history' | 'acknowledgeLogout'>): SessionNode {
    return { ...settings, typeName: sessionTypeName(settings.name), providerName: providerName(settings.name), ...payload };
  },

  /**
   * The name of the current version's payload type, an alias of `typeName` that migrations return
   * (`UserSessionV2`), for a session that has versions (a history or a version above 1); else `undefined`.
   *
   * @example
   * SessionNode.currentVersionTypeName({ ...userNode, version: 2 }); // 'UserSessionV2'
   */
  currentVersionTypeName(session: SessionNode): string | undefined {
    return session.history === undefined && session.version === undefined ? undefined : versionTypeName(session.name, session.version ?? 1);
  },
};

export interface SpecModel {
  /** The spec's file name (no folders), for the generated header. */
  readonly specFileName: string;
  /** Key rings by name, in spec order: the generated `SpecDefinition.keys`. */
  readonly keys: Readonly<Record<string, KeyRingDefinition>>;
  /** Storages by name, in spec order: the generated `SpecDefinition.storages`. */
  readonly storages: Readonly<Record<string, StorageDefinition>>;
  readonly types: readonly TypeNode[];
  readonly sessions: readonly SessionNode[];
  /**
   * Whether the entry file declares `ctx.sessions` on Koa's `DefaultContext`; absent means true. Koa has
   * one context type per TypeScript program, so of two specs compiled together only one may.
   */
  readonly augmentKoaContext?: boolean;
}
