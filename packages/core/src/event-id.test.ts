import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareEventIds, nextEventId, parseEventId, processStartEventId } from './event-id';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('nextEventId', () => {
  it('counts within one millisecond and restarts the counter on the next', () => {
    // Ahead of every id assigned so far, so this test owns the millisecond.
    const ms = Date.now() + 10;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(ms);
    expect([nextEventId(), nextEventId(), nextEventId()]).toEqual([
      `${ms}-0`,
      `${ms}-1`,
      `${ms}-2`,
    ]);
    clock.mockReturnValue(ms + 1);
    expect(nextEventId()).toBe(`${ms + 1}-0`);
  });

  it('keeps increasing when the clock goes backwards', () => {
    const ms = Date.now() + 20;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(ms);
    const before = nextEventId();
    clock.mockReturnValue(ms - 5000);
    const after = [nextEventId(), nextEventId()];
    expect(after).toEqual([`${ms}-1`, `${ms}-2`]);
    expect(compareEventIds(before, after[0]!)).toBeLessThan(0);
  });

  it('starts no earlier than the process', () => {
    expect(compareEventIds(processStartEventId(), nextEventId())).toBeLessThanOrEqual(0);
  });
});

describe('compareEventIds', () => {
  it('orders by milliseconds, then by counter, numerically', () => {
    expect(compareEventIds('1000-9', '1000-10')).toBeLessThan(0);
    expect(compareEventIds('999-50', '1000-0')).toBeLessThan(0);
    expect(compareEventIds('1000-2', '1000-2')).toBe(0);
    expect(compareEventIds('1001-0', '1000-7')).toBeGreaterThan(0);
  });

  it.each(['7', 'abc', '1-2-3', '01-2', '1-', '-1', '1.5-0', '99999999999999999999-0'])(
    'returns undefined for %j, which is not `<ms>-<seq>`',
    (id) => {
      expect(parseEventId(id)).toBeUndefined();
      expect(compareEventIds(id, '1-0')).toBeUndefined();
      expect(compareEventIds('1-0', id)).toBeUndefined();
    },
  );

  it('parses the two numbers', () => {
    expect(parseEventId('1718000000000-3')).toEqual({ ms: 1718000000000, seq: 3 });
    expect(parseEventId('0-0')).toEqual({ ms: 0, seq: 0 });
  });
});
