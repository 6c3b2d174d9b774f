/**
 * The TypeScript names the generator derives from the spec (docs/spec.md, `sessions`), in one place so the
 * validator refuses exactly the collisions the emitters would produce.
 */

/**
 * `shopping_cart` -> `ShoppingCart`.
 *
 * @example
 * pascalCase('shopping_cart'); // 'ShoppingCart'
 */
function pascalCase(snake: string): string {
  return snake
    .split('_')
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The payload interface of a session: `user` -> `UserSession`.
 *
 * @example
 * sessionTypeName('shopping_cart'); // 'ShoppingCartSession'
 */
export function sessionTypeName(sessionKey: string): string {
  return `${pascalCase(sessionKey)}Session`;
}

/**
 * The payload type of one version of a session: `user`, 1 -> `UserSessionV1`. The current version's is an
 * alias of `UserSession`; older ones are what their migrations take (docs/schema-evolution.md).
 *
 * @example
 * versionTypeName('shopping_cart', 2); // 'ShoppingCartSessionV2'
 */
export function versionTypeName(sessionKey: string, version: number): string {
  return `${sessionTypeName(sessionKey)}V${version}`;
}

/**
 * The flash value type of a session, key -> value type: `user` -> `UserFlash`.
 *
 * @example
 * flashTypeName('shopping_cart'); // 'ShoppingCartFlash'
 */
export function flashTypeName(sessionKey: string): string {
  return `${pascalCase(sessionKey)}Flash`;
}

/**
 * The validator of one flash value, an export of the generated `validators.ts`. Flash keys are camelCase
 * (spec-schema.json), so two keys never give one name.
 *
 * @example
 * flashValidatorName('user', 'notice'); // 'validateUserFlashNotice'
 */
export function flashValidatorName(sessionKey: string, key: string): string {
  return `validate${flashTypeName(sessionKey)}${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}

/**
 * The provider class of a session: `user` -> `UserSessionProvider`.
 *
 * @example
 * providerName('user'); // 'UserSessionProvider'
 */
export function providerName(sessionKey: string): string {
  return `${sessionTypeName(sessionKey)}Provider`;
}

/**
 * The payload validator of a session, an export of the generated `validators.ts`, from its payload type's
 * name: `UserSession` -> `validateUserSession`.
 *
 * @example
 * validatorName(sessionTypeName('shopping_cart')); // 'validateShoppingCartSession'
 */
export function validatorName(typeName: string): string {
  return `validate${typeName}`;
}

/** The namespace the generated entry imports `validators.ts` under. */
export const VALIDATORS_NAMESPACE = 'validators';

/** What the generated file imports from the runtime's core, whatever the spec says. */
export const RUNTIME_VALUE_IMPORTS: readonly string[] = ['SessionProvider', 'createSessionsMiddleware'];
export const RUNTIME_TYPE_IMPORTS: readonly string[] = ['InstallOptions', 'SessionDefinition', 'Sessions', 'SpecDefinition'];

/**
 * The runtime's optional layers (`SpecLayers` in runtime/definition.ts), by their key in `spec.layers`: the
 * entry and export the generated file imports when its spec uses the layer, and only then.
 */
export const LAYER_IMPORTS = {
  redis: { specifier: 'typed-sessions/redis', exportName: 'buildRedisStorage' },
  directory: { specifier: 'typed-sessions/directory', exportName: 'buildDirectoryStorage' },
  ktor: { specifier: 'typed-sessions/ktor', exportName: 'ktorLayer' },
} as const;

/** Names the generated file declares or imports whatever the spec says (plan/generated-shape.ts). */
export const FIXED_NAMES: readonly string[] = [
  'Middleware',
  VALIDATORS_NAMESPACE,
  ...RUNTIME_VALUE_IMPORTS,
  ...RUNTIME_TYPE_IMPORTS,
  ...Object.values(LAYER_IMPORTS).map((layer) => layer.exportName),
  'SessionMap',
  'ByIdSessionName',
  'CookieSessionName',
  'FlashMap',
  // The admin side (emit/sessions-admin.ts), imported or declared only for a spec with index: or revocation:.
  'SummaryMap',
  'SessionsAdmin',
  'SessionAdmin',
  'RevocationAdmin',
  'SessionsMiddleware',
  'spec',
  'installSessions',
];

/**
 * Names a `types:` entry or a session's generated types may not take: the generated file's own names,
 * and the global types its type mappings use, which such an entry would clash with or shadow.
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([...FIXED_NAMES, 'Array', 'Record', 'ReadonlyArray', 'Readonly']);
