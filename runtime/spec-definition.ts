import type { KeyRingDefinition, StorageDefinition } from './definition.js';
import type { SpecLayers } from './layers.js';
import type { ProviderClass } from './provider.js';

/**
 * What generated code hands to `createSessionsMiddleware`: the spec's key rings and storages as data, one
 * generated provider class per session, and the optional layers the spec uses.
 */
export interface SpecDefinition {
  /**
   * The shape of generated code this definition has (`GENERATED_FORMAT` of the generator that made it);
   * `installSessions()` refuses any other than the runtime's own, asking to run `npx typed-sessions gen`.
   */
  readonly format: number;
  /** Key rings by name, each read from an environment variable unless `installSessions({ keys })` overrides it. */
  readonly keys: Readonly<Record<string, KeyRingDefinition>>;
  readonly storages: Readonly<Record<string, StorageDefinition>>;
  /** One generated provider class per session, in spec order. */
  readonly providers: readonly ProviderClass[];
  /** The optional layers the spec uses; absent means none. */
  readonly layers?: SpecLayers;
}
