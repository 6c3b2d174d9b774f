/**
 * The generator's model of a spec: plain readonly data, built by `normalize` from a validated spec and read
 * by the emitters. Its key rings, storages and sessions are the runtime's own definition data
 * (runtime/definition.ts, through `typed-sessions/rules`), so the generated definition prints them as they
 * are; a session node adds only what the generator alone needs. Nothing here knows about YAML positions or
 * TypeScript syntax.
 */
import type { KeyRingDefinition, SessionSettings, StorageDefinition } from 'typed-sessions/rules';
import { providerName, sessionTypeName } from './names.js';
import type { JsonSchema, TypeNode } from './payload-schema.js';

/** The app's own codec: `module` is relative to the spec file's folder, as written in the spec. */
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
}

export const SessionNode = {
  /**
   * A session node with the TypeScript names of its session (names.ts), so the rules and the emitters
   * derive them the same way.
   *
   * @example
   * SessionNode.create({ name: 'user', transport, transforms: [], expiry }, { schema: { $ref: '#/types/User' } }).typeName; // 'UserSession'
   */
  create(settings: SessionSettings, payload: Pick<SessionNode, 'schema' | 'serializer' | 'flash'>): SessionNode {
    return { ...settings, typeName: sessionTypeName(settings.name), providerName: providerName(settings.name), ...payload };
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
