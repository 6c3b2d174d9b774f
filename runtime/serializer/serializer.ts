/**
 * Turns a payload into a string and back. `decode` returns `unknown`: whatever it returns is checked
 * against the session's schema before the app sees it.
 *
 * @example
 * export const userCodec: Serializer<UserSession> = {
 *   encode: (value) => JSON.stringify(value),
 *   decode: (text) => JSON.parse(text),
 * };
 */
export interface Serializer<T> {
  encode(value: T): string;
  decode(text: string): unknown;
}
