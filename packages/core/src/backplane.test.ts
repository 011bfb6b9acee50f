import { describe, expect, it } from 'vitest';
import { memoryBackplane, type BackplaneEvent } from './backplane';
import { SseError } from './errors';
import { compareEventIds, parseEventId, processStartEventId } from './event-id';

const input = (data: string, id?: string) => ({ data, serialized: false, id });
const idsOf = (events: readonly BackplaneEvent[]) => events.map((event) => event.id);

/** A backplane holding `count` events, and the ids it assigned them (`ids[n - 1]` is event n). */
async function filled(history: number, count: number) {
  const backplane = memoryBackplane({ history });
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) ids.push(await backplane.append(input(`e${n}`)));
  return { backplane, ids };
}

describe('memoryBackplane', () => {
  it('assigns increasing `<ms>-<seq>` ids in append order and keeps ids given by the publisher', async () => {
    const backplane = memoryBackplane();
    const first = await backplane.append(input('a'));
    expect(await backplane.append(input('b', 'mine'))).toBe('mine');
    const third = await backplane.append(input('c'));
    expect(first).toMatch(/^\d+-\d+$/);
    expect(compareEventIds(first, third)).toBeLessThan(0);
    expect(idsOf((await backplane.readAfter(first)).events)).toEqual(['mine', third]);
    expect(idsOf((await backplane.readAfter('mine')).events)).toEqual([third]);
  });

  it('assigns ids strictly increasing across every backplane of the process', async () => {
    const news = memoryBackplane();
    const alerts = memoryBackplane();
    const ids: string[] = [];
    for (let n = 0; n < 500; n++) ids.push(await (n % 3 === 0 ? alerts : news).append(input('x')));
    for (let i = 1; i < ids.length; i++) {
      expect(compareEventIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    }
    expect(compareEventIds(processStartEventId(), ids[0]!)).toBeLessThanOrEqual(0);
  });

  it('stores the event as given', async () => {
    const backplane = memoryBackplane();
    const id = await backplane.append({ event: 'update', data: '{"a":1}', serialized: true });
    await backplane.append(input('x'));
    const { events } = await backplane.readAfter('0-unknown');
    expect(events[0]).toEqual({ id, event: 'update', data: '{"a":1}', serialized: true });
  });

  it('keeps the last `history` events, evicting the oldest', async () => {
    const { backplane, ids } = await filled(3, 5);
    const result = await backplane.readAfter(ids[2]!);
    expect(idsOf(result.events)).toEqual(ids.slice(3));
    expect(result).toMatchObject({ gap: false, oldestId: ids[2] });
  });

  it('reads nothing and no gap after the newest id', async () => {
    const { backplane, ids } = await filled(3, 5);
    expect(await backplane.readAfter(ids[4]!)).toEqual({
      events: [],
      gap: false,
      oldestId: ids[2],
    });
  });

  it('reports a gap, with every retained event, for an evicted id', async () => {
    const { backplane, ids } = await filled(3, 10);
    const result = await backplane.readAfter(ids[1]!);
    expect(result.gap).toBe(true);
    expect(result.oldestId).toBe(ids[7]);
    expect(idsOf(result.events)).toEqual(ids.slice(7));
  });

  it('reports no gap for the newest evicted id: everything after it is retained', async () => {
    const { backplane, ids } = await filled(3, 10);
    const result = await backplane.readAfter(ids[6]!);
    expect(result.gap).toBe(false);
    expect(idsOf(result.events)).toEqual(ids.slice(7));
  });

  it('reports a gap for an id it never saw', async () => {
    const { backplane, ids } = await filled(3, 2);
    const result = await backplane.readAfter('from-another-server');
    expect(result).toMatchObject({ gap: true, oldestId: ids[0] });
    expect(idsOf(result.events)).toEqual(ids);
    expect(await memoryBackplane().readAfter('x')).toEqual({
      events: [],
      gap: true,
      oldestId: null,
    });
  });

  it("places another backplane's id by order: the events after it, and no gap", async () => {
    const mine = memoryBackplane();
    const other = memoryBackplane();
    const before = await mine.append(input('a'));
    const elsewhere = await other.append(input('b'));
    const after = [await mine.append(input('c')), await mine.append(input('d'))];
    const result = await mine.readAfter(elsewhere);
    expect(idsOf(result.events)).toEqual(after);
    expect(result).toMatchObject({ gap: false, oldestId: before });
  });

  it('reports a gap for an id older than an evicted event, even one it never held', async () => {
    const other = memoryBackplane();
    const elsewhere = await other.append(input('b'));
    const { backplane, ids } = await filled(2, 4);
    const result = await backplane.readAfter(elsewhere);
    expect(result.gap).toBe(true);
    expect(idsOf(result.events)).toEqual(ids.slice(2));
  });

  it('reports a gap for an id of an earlier process, even with nothing published yet', async () => {
    const start = parseEventId(processStartEventId())!;
    const earlier = `${start.ms - 1}-4`;
    expect(await memoryBackplane().readAfter(earlier)).toEqual({
      events: [],
      gap: true,
      oldestId: null,
    });
    const { backplane, ids } = await filled(10, 3);
    const result = await backplane.readAfter(earlier);
    expect(result).toMatchObject({ gap: true, oldestId: ids[0] });
    expect(idsOf(result.events)).toEqual(ids);
  });

  it('forgets an evicted publisher id but keeps a reused one that is still retained', async () => {
    const backplane = memoryBackplane({ history: 2 });
    await backplane.append(input('a', 'same'));
    await backplane.append(input('b'));
    await backplane.append(input('c', 'same'));
    // The first "same" is evicted; the id now names the retained third event.
    expect(idsOf((await backplane.readAfter('same')).events)).toEqual([]);
    const fourth = await backplane.append(input('d'));
    expect(idsOf((await backplane.readAfter('same')).events)).toEqual([fourth]);
  });

  it('keeps no history with history: 0, but knows the newest id', async () => {
    const { backplane, ids } = await filled(0, 3);
    expect(await backplane.readAfter(ids[2]!)).toEqual({ events: [], gap: false, oldestId: null });
    expect(await backplane.readAfter(ids[1]!)).toEqual({ events: [], gap: true, oldestId: null });
  });

  it('calls every listener for every append, until it stops listening', async () => {
    const backplane = memoryBackplane();
    const a: string[] = [];
    const b: string[] = [];
    const stopA = backplane.listen((event) => a.push(event.data));
    backplane.listen((event) => b.push(event.data));
    await backplane.append(input('1'));
    stopA();
    await backplane.append(input('2'));
    expect(a).toEqual(['1']);
    expect(b).toEqual(['1', '2']);
    await backplane.close?.();
    await backplane.append(input('3'));
    expect(b).toEqual(['1', '2']);
  });

  it('lets the same function listen twice and stop once per listen', async () => {
    const backplane = memoryBackplane();
    const seen: string[] = [];
    const listener = (event: BackplaneEvent) => seen.push(event.data);
    const stopFirst = backplane.listen(listener);
    backplane.listen(listener);
    await backplane.append(input('x'));
    stopFirst();
    await backplane.append(input('y'));
    expect(seen).toEqual(['x', 'x', 'y']);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects history %s with ERR_SSE_OPTIONS',
    (history) => {
      expect(() => memoryBackplane({ history })).toThrow(SseError);
      expect(() => memoryBackplane({ history })).toThrow(/history/);
    },
  );
});

describe('memoryBackplane memory', () => {
  it('keeps exactly the last `history` events while its ring grows to them', async () => {
    const { backplane, ids } = await filled(100, 250);
    const read = await backplane.readAfter(ids[159]!);
    expect(read.gap).toBe(false);
    expect(idsOf(read.events)).toEqual(ids.slice(160));
    expect(read.oldestId).toBe(ids[150]);
    expect((await backplane.readAfter(ids[99]!)).gap).toBe(true);
  });

  it('costs a few slots, not `history` of them, for a topic published once', async () => {
    const { retainedMemory } = await import('@sse/test-kit/unit');
    const before = retainedMemory();
    const planes = Array.from({ length: 10_000 }, () => memoryBackplane({ history: 1000 }));
    for (const plane of planes) await plane.append(input('once'));
    const perBackplane = (retainedMemory() - before) / planes.length;
    // A ring of 1000 slots alone would be ~9 KB each.
    expect(perBackplane).toBeLessThan(3000);
    expect(planes).toHaveLength(10_000);
  });
});
