import { describe, expect, it } from 'vitest';
import { decodeTopicsCursor, eventPart, idOfPart, joinCursor, positionPart } from './topics-cursor';

/** A cheap seeded random source, so a failure replays. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('topics cursor', () => {
  it('encodes, position by position, what decodes back to the same ids', () => {
    const next = random(0x2545f491);
    const start = 1_764_000_000_000;
    const anyId = (): string => {
      const roll = next();
      if (roll < 0.1) return `order-${Math.floor(next() * 1000)}/ü,~`;
      // Ids move both ways across topics: another shard's clock may lag behind.
      return `${start + Math.floor((next() - 0.3) * 100_000)}-${Math.floor(next() * 40)}`;
    };
    for (let round = 0; round < 200; round++) {
      const count = 1 + Math.floor(next() * 4);
      const ids: (string | undefined)[] = Array.from({ length: count }, () =>
        next() < 0.3 ? undefined : anyId(),
      );
      const parts = ids.map(positionPart);
      expect(parts.map(idOfPart)).toEqual(ids);
      expect(decodeTopicsCursor(joinCursor(parts), count)).toEqual(ids);
      for (let step = 0; step < 20; step++) {
        const index = Math.floor(next() * count);
        const id = anyId();
        ids[index] = id;
        parts[index] = eventPart(id);
        const cursor = joinCursor(parts);
        expect(cursor).toMatch(/^[\x21-\x7e]+$/);
        expect(decodeTopicsCursor(cursor, count)).toEqual(ids);
      }
    }
  });

  it('writes each position as the same text for every stream (base 0)', () => {
    const parts = [positionPart(undefined), positionPart(undefined)];
    expect(joinCursor(parts)).toBe('t1,0,~,~');
    parts[0] = eventPart('1764000000000-3');
    expect(joinCursor(parts)).toBe('t1,0,midc1z40.3,~');
    parts[1] = eventPart('1764000000036-0');
    expect(joinCursor(parts)).toBe('t1,0,midc1z40.3,midc1z50.0');
  });

  it('reads cursors with another base (as earlier versions wrote them)', () => {
    expect(decodeTopicsCursor('t1,midc1z40,0.3,10.0', 2)).toEqual([
      '1764000000000-3',
      '1764000000036-0',
    ]);
  });
});
