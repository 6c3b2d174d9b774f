/**
 * Arrows one way: a module never imports, even for a type, a module that imports it back. In runtime/ the
 * layers run data types (definition.ts, envelope.ts) -> rules -> parts (transport, transform, serializer,
 * storage, tracker) -> provider -> request path -> middleware.
 */
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph.js';

describe('import cycles', () => {
  it('runtime/ has no import cycle', () => {
    expect(importCycles(importGraph(['runtime']))).toEqual([]);
  });
});
