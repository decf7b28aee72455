import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../src/store/sqlite/time-ordered-id.js';

describe('time-ordered ids (imported contacts, segment transition message ids)', () => {
  it('are UUID v7 carrying the time, so later ids sort after earlier ones', () => {
    const at = Date.UTC(2026, 11, 3, 8, 0, 0);
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    const ids = [at - 1, at, at + 1, at + 60_000].map(timeOrderedId);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stay unique within one millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(1_000)));
    expect(ids.size).toBe(10_000);
  });

  it('made with the same instant, sort in the order they were made, so an import chunk appends to each index', () => {
    const at = Date.UTC(2026, 11, 3, 9, 0, 0);
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.filter((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keep sorting after the ones made before when the clock steps back', () => {
    const at = Date.UTC(2026, 11, 3, 10, 0, 0);
    const ids = [timeOrderedId(at), timeOrderedId(at - 5_000), timeOrderedId(at - 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
  });
});
