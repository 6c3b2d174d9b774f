/**
 * The TypeScript names the generator derives from the spec (design.md section 3), in one place so the
 * validator refuses exactly the collisions the emitters would produce.
 */

/**
 * `shopping_cart` -> `ShoppingCart`.
 *
 * @example
 * pascalCase('shopping_cart'); // 'ShoppingCart'
 */
export function pascalCase(snake: string): string {
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
 * The provider class of a session: `user` -> `UserSessionProvider`.
 *
 * @example
 * providerName('user'); // 'UserSessionProvider'
 */
export function providerName(sessionKey: string): string {
  return `${sessionTypeName(sessionKey)}Provider`;
}

/**
 * Names the generated module declares or imports itself (plan/generated-shape.ts), and the global types
 * its type mappings use; a `types:` entry with one of these names would clash with or shadow it.
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'SessionMap',
  'ByIdSessionName',
  'installSessions',
  'Middleware',
  'SessionProvider',
  'InstallOptions',
  'ProviderContext',
  'SessionDefinition',
  'Sessions',
  'SpecDefinition',
  'Array',
  'Record',
  'ReadonlyArray',
  'Readonly',
]);
