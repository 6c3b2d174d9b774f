import { SessionValidationError } from '../errors.js';
import { kotlinDoubleText } from './kotlin-number.js';
import type { PayloadShapes, Shape } from './payload-shape.js';
import { encodeQueryComponent, encodeUrlParameter } from './url-encoding.js';

/** Kotlin's `Int`. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * Writes payloads in `ktor-reflection`'s text format (runtime/ktor/reflection-serializer.ts), following the
 * schema's shapes; a value the schema or the format cannot hold throws `SessionValidationError`.
 */
export class ReflectionWriter {
  constructor(
    readonly session: string,
    readonly shapes: PayloadShapes,
  ) {}

  object(value: unknown, schema: object, path: readonly string[]): string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.#fail(path, 'must be an object');
    const record = value as Record<string, unknown>;
    const properties = [...this.shapes.of(schema).properties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return properties
      .filter(([name]) => Object.hasOwn(record, name) && record[name] !== undefined)
      .map(([name, property]) => `${encodeUrlParameter(name)}=${encodeUrlParameter(this.value(record[name], property, [...path, name]))}`)
      .join('&');
  }

  value(value: unknown, schema: object, path: readonly string[]): string {
    if (value === null) return '#n';
    const shape = this.shapes.of(schema);
    switch (shape.kind) {
      case 'string':
        return `#s${this.#expect(value, 'string', path)}`;
      case 'boolean':
        return this.#expect(value, 'boolean', path) ? '#bot' : '#bof';
      case 'integer':
        return this.#integer(value, shape, path);
      case 'number':
        return `#f${kotlinDoubleText(this.#finite(value, path))}`;
      case 'array':
        return this.#collection(value, shape, path);
      case 'map':
        return this.#map(value, shape, path);
      case 'object':
        return `##${this.object(value, schema, path)}`;
      default:
        return this.#fail(path, `has a schema ktor-reflection cannot write (${shape.kind})`);
    }
  }

  #integer(value: unknown, shape: Shape, path: readonly string[]): string {
    const number = this.#finite(value, path);
    if (!Number.isSafeInteger(number)) this.#fail(path, 'must be a whole number within 2^53');
    if (!shape.long && (number < INT_MIN || number > INT_MAX)) {
      this.#fail(path, `is ${number}, outside Kotlin's Int; declare format: int64 in the schema if the Kotlin property is a Long`);
    }
    return `${shape.long ? '#l' : '#i'}${number}`;
  }

  #collection(value: unknown, shape: Shape, path: readonly string[]): string {
    if (!Array.isArray(value)) this.#fail(path, 'must be an array');
    const items = (value as unknown[]).map((item, index) => {
      const text = this.value(item, shape.items!, [...path, String(index)]);
      if (text.includes('&')) this.#lossy([...path, String(index)], 'an item of a list or set');
      return encodeQueryComponent(text);
    });
    return `${shape.unique ? '#cs' : '#cl'}${encodeQueryComponent(items.join('&'))}`;
  }

  #map(value: unknown, shape: Shape, path: readonly string[]): string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.#fail(path, 'must be an object');
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .map(([key, entry]) => {
        if (key.includes('=') || key.includes('&')) this.#lossy([...path, key], 'a map key with "=" or "&"');
        const text = this.value(entry, shape.values!, [...path, key]);
        if (text.includes('&')) this.#lossy([...path, key], 'a map value');
        return `${encodeQueryComponent(`#s${key}`)}=${encodeQueryComponent(text)}`;
      });
    return `#m${encodeQueryComponent(entries.join('&'))}`;
  }

  #lossy(path: readonly string[], place: string): never {
    return this.#fail(
      path,
      `would contain "&" or "=" as ${place}, which Ktor's reflection serializer splits apart when reading (its collection encoding does not escape them), so Ktor would drop the session; change the value, or use serializer: ktor-json if the Ktor service uses kotlinx JSON`,
    );
  }

  #expect<T extends 'string' | 'boolean'>(value: unknown, type: T, path: readonly string[]): T extends 'string' ? string : boolean {
    if (typeof value !== type) this.#fail(path, `must be a ${type}`);
    return value as T extends 'string' ? string : boolean;
  }

  #finite(value: unknown, path: readonly string[]): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.#fail(path, 'must be a finite number');
    return value as number;
  }

  #fail(path: readonly string[], detail: string): never {
    throw new SessionValidationError(this.session, path.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''), detail);
  }
}
