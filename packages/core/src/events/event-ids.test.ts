import { describe, expect, it } from 'vitest';
import { sequentialIds } from './event-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('sequentialIds', () => {
  it('makes UUID-shaped ids, in sequence under one random prefix', () => {
    const newId = sequentialIds();
    const ids = Array.from({ length: 5_000 }, newId);
    expect(ids.every((id) => UUID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 24))).size).toBe(1);
    expect(ids.map((id) => Number.parseInt(id.slice(24), 16))).toEqual(ids.map((_, i) => i));
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws a new prefix per factory, so two runs never share an id', () => {
    const prefixes = Array.from({ length: 100 }, () => sequentialIds()().slice(0, 24));
    expect(new Set(prefixes).size).toBe(100);
  });
});
