/** `record[name]` if `record` has it as its own property: a name like `constructor` or `__proto__` finds nothing. */
export function ownEntry<V>(record: Readonly<Record<string, V>> | undefined, name: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;
}
