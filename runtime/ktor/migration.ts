import type { SessionDefinition } from '../definition.js';
import { SessionConfigError } from '../errors.js';

/** One `migrateFrom`: provider indexes of the native session and the Ktor-format session it takes over. */
export interface Migration {
  readonly target: number;
  readonly source: number;
  readonly keepSource: boolean;
}

/**
 * The migrations of a spec, checked once at start-up: each names a Ktor-format session of the same spec, is
 * itself native, shares that session's schema (so a payload valid there is valid here), and no Ktor session
 * feeds two migrations. Throws `SessionConfigError` otherwise.
 *
 * @example
 * planMigrations(providers.map((provider) => provider.definition)); // [{ target: 0, source: 1, keepSource: false }]
 */
export function planMigrations(definitions: readonly SessionDefinition<unknown>[]): Migration[] {
  const indexByName = new Map(definitions.map((definition, index) => [definition.name, index]));
  const claimed = new Map<number, string>();
  return definitions.flatMap((definition, target): Migration[] => {
    const from = definition.migrateFrom;
    if (from === undefined) return [];
    const fail = (problem: string): never => {
      throw new SessionConfigError(`session "${definition.name}" migrates from "${from.session}", ${problem}; fix migrateFrom in sessions.yaml`);
    };
    const source = indexByName.get(from.session);
    if (source === undefined) return fail('which the spec does not declare');
    const sourceDefinition = definitions[source]!;
    if (sourceDefinition.ktor === undefined) fail('which is not a Ktor-format session (serializer: ktor-json or ktor-reflection)');
    if (definition.ktor !== undefined) fail('but is itself in Ktor format: migration moves users onto the native sealed format');
    if (JSON.stringify(sourceDefinition.schema) !== JSON.stringify(definition.schema)) {
      fail('whose schema differs: give both the same schema (a shared type under types:), so every migrated payload is valid');
    }
    const other = claimed.get(source);
    if (other !== undefined) fail(`which session "${other}" already migrates from`);
    claimed.set(source, definition.name);
    return [{ target, source, keepSource: from.keepSource }];
  });
}
