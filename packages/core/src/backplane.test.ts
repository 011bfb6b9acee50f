import { describe, expect, it } from 'vitest';
import { memoryBackplane, type BackplaneEvent } from './backplane';
import { SseError } from './errors';

const input = (data: string, id?: string) => ({ data, serialized: false, id });
const idsOf = (events: readonly BackplaneEvent[]) => events.map((event) => event.id);

async function filled(history: number, count: number) {
  const backplane = memoryBackplane({ history });
  for (let n = 1; n <= count; n++) await backplane.append(input(`e${n}`));
  return backplane;
}

describe('memoryBackplane', () => {
  it('assigns ids "1", "2", ... in append order and keeps ids given by the publisher', async () => {
    const backplane = memoryBackplane();
    expect(await backplane.append(input('a'))).toBe('1');
    expect(await backplane.append(input('b', 'mine'))).toBe('mine');
    expect(await backplane.append(input('c'))).toBe('3');
    expect(idsOf((await backplane.readAfter('1')).events)).toEqual(['mine', '3']);
    expect(idsOf((await backplane.readAfter('mine')).events)).toEqual(['3']);
  });

  it('stores the event as given', async () => {
    const backplane = memoryBackplane();
    await backplane.append({ event: 'update', data: '{"a":1}', serialized: true });
    await backplane.append(input('x'));
    const { events } = await backplane.readAfter('0-unknown');
    expect(events[0]).toEqual({ id: '1', event: 'update', data: '{"a":1}', serialized: true });
  });

  it('keeps the last `history` events, evicting the oldest', async () => {
    const backplane = await filled(3, 5);
    const result = await backplane.readAfter('3');
    expect(idsOf(result.events)).toEqual(['4', '5']);
    expect(result).toMatchObject({ gap: false, oldestId: '3' });
  });

  it('reads nothing and no gap after the newest id', async () => {
    const backplane = await filled(3, 5);
    expect(await backplane.readAfter('5')).toEqual({ events: [], gap: false, oldestId: '3' });
  });

  it('reports a gap, with every retained event, for an evicted id', async () => {
    const backplane = await filled(3, 10);
    const result = await backplane.readAfter('2');
    expect(result.gap).toBe(true);
    expect(result.oldestId).toBe('8');
    expect(idsOf(result.events)).toEqual(['8', '9', '10']);
  });

  it('reports no gap for the newest evicted id: everything after it is retained', async () => {
    const backplane = await filled(3, 10);
    const result = await backplane.readAfter('7');
    expect(result.gap).toBe(false);
    expect(idsOf(result.events)).toEqual(['8', '9', '10']);
  });

  it('reports a gap for an id it never saw', async () => {
    const backplane = await filled(3, 2);
    const result = await backplane.readAfter('from-another-server');
    expect(result).toMatchObject({ gap: true, oldestId: '1' });
    expect(idsOf(result.events)).toEqual(['1', '2']);
    expect(await memoryBackplane().readAfter('x')).toEqual({
      events: [],
      gap: true,
      oldestId: null,
    });
  });

  it('forgets an evicted publisher id but keeps a reused one that is still retained', async () => {
    const backplane = memoryBackplane({ history: 2 });
    await backplane.append(input('a', 'same'));
    await backplane.append(input('b'));
    await backplane.append(input('c', 'same'));
    // The first "same" is evicted; the id now names the retained third event.
    expect(idsOf((await backplane.readAfter('same')).events)).toEqual([]);
    await backplane.append(input('d'));
    expect(idsOf((await backplane.readAfter('same')).events)).toEqual(['4']);
  });

  it('keeps no history with history: 0, but knows the newest id', async () => {
    const backplane = await filled(0, 3);
    expect(await backplane.readAfter('3')).toEqual({ events: [], gap: false, oldestId: null });
    expect(await backplane.readAfter('2')).toEqual({ events: [], gap: true, oldestId: null });
  });

  it('calls every listener for every append, until it stops listening', async () => {
    const backplane = memoryBackplane();
    const a: string[] = [];
    const b: string[] = [];
    const stopA = backplane.listen((event) => a.push(event.id));
    backplane.listen((event) => b.push(event.id));
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
    const listener = (event: BackplaneEvent) => seen.push(event.id);
    const stopFirst = backplane.listen(listener);
    backplane.listen(listener);
    await backplane.append(input('x'));
    stopFirst();
    await backplane.append(input('y'));
    expect(seen).toEqual(['1', '1', '2']);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects history %s with ERR_SSE_OPTIONS',
    (history) => {
      expect(() => memoryBackplane({ history })).toThrow(SseError);
      expect(() => memoryBackplane({ history })).toThrow(/history/);
    },
  );
});
