import { useMemoryStreams } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { SseFormatError } from './errors';
import type { SseSendOptions } from './stream';

const open = useMemoryStreams();

// Every stream opens with this comment so the client's `open` fires at once.
const OPENING = ': \n\n';

describe('SseStream.send', () => {
  it('delivers data exactly as the client rebuilds it: line breaks, spaces, unicode, JSON', async () => {
    const payloads = ['a\nb', 'c\rd', 'e\r\nf', '  lead', '', 'ünïcødé 😀', '\n'];
    const { stream, client } = open({ heartbeat: false });
    for (const data of payloads) await stream.send(data);
    await stream.send({ nested: { list: [1, 'two'] }, text: 'x\ny' }, { event: 'obj', id: '7' });
    const events = await client.waitForEvents(payloads.length + 1);
    expect(events.slice(0, -1).map((e) => e.data)).toEqual(
      payloads.map((p) => p.replace(/\r\n|\r/g, '\n')),
    );
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: 'obj', id: '7' });
    expect(JSON.parse(last.data)).toEqual({ nested: { list: [1, 'two'] }, text: 'x\ny' });
  });

  it.each<[string, SseSendOptions, string]>([
    ['an event name with LF', { event: 'a\nb' }, 'event'],
    ['an event name with CR', { event: 'a\rb' }, 'event'],
    ['an id with LF', { id: '1\n' }, 'id'],
    ['an id with CR', { id: '\r1' }, 'id'],
    ['an id with NUL', { id: '1\u0000' }, 'id'],
    ['a negative retry', { retry: -5 }, 'retry'],
    ['a fractional retry', { retry: 0.5 }, 'retry'],
  ])(
    'rejects %s with SseFormatError, writes nothing, and the next event arrives intact',
    async (_name, bad, field) => {
      const { stream, client } = open({ heartbeat: false });
      const rejection = await stream.send('bad', bad).then(
        () => undefined,
        (error: unknown) => error,
      );
      await stream.send('good', { event: 'next', id: '2' });
      const [event] = await client.waitForEvents(1);
      expect(event).toEqual({ event: 'next', id: '2', data: 'good' });
      expect(rejection).toBeInstanceOf(SseFormatError);
      expect(rejection).toMatchObject({ field, code: 'ERR_SSE_FORMAT' });
      // The wire holds the opening comment and the good frame, nothing of the bad one.
      expect(client.text()).toBe(`${OPENING}id: 2\nevent: next\ndata: good\n\n`);
    },
  );

  it('rejects data the serializer cannot represent and keeps the stream usable', async () => {
    const { stream, client } = open({ heartbeat: false });
    const rejection = await stream.send(Symbol('no json')).catch((error: unknown) => error);
    await stream.send('after');
    await client.waitForEvents(1);
    expect(rejection).toMatchObject({ field: 'data', code: 'ERR_SSE_FORMAT' });
    expect(client.text()).toBe(`${OPENING}data: after\n\n`);
  });

  it('uses the stream serializer for objects', async () => {
    const { stream, client } = open({
      heartbeat: false,
      serialize: (value) => `custom:${JSON.stringify(value)}`,
    });
    await stream.send({ a: 1 });
    const [event] = await client.waitForEvents(1);
    expect(event!.data).toBe('custom:{"a":1}');
  });

  it('sends the retry option when the stream opens', async () => {
    const { client } = open({ heartbeat: false, retry: 3210 });
    await client.waitForText((text) => text.includes('\n\n'));
    expect(client.retries).toEqual([3210]);
    expect(client.text()).toBe(': \nretry: 3210\n\n');
  });

  it('resolves and writes nothing once the stream is closed', async () => {
    const { stream, client } = open({ heartbeat: false });
    await stream.send('before');
    stream.close();
    await stream.send('after');
    await stream.comment('after');
    await client.ended;
    expect(client.finished).toBe('end');
    expect(client.events.map((e) => e.data)).toEqual(['before']);
    expect(client.text()).toBe(`${OPENING}data: before\n\n`);
  });
});

describe('SseStream.comment', () => {
  it('writes comment lines that clients ignore', async () => {
    const { stream, client } = open({ heartbeat: false });
    await stream.comment('line one\nline two');
    await stream.send('x');
    await client.waitForEvents(1);
    expect(client.text()).toBe(`${OPENING}: line one\n: line two\n\ndata: x\n\n`);
    expect(client.events).toHaveLength(1);
  });
});

describe('SseStream.close', () => {
  it('ends the response and reports reason "server" once', async () => {
    const reasons: string[] = [];
    const { stream, client } = open({ heartbeat: false });
    stream.onClose((reason) => reasons.push(reason));
    stream.close();
    stream.close();
    await client.ended;
    expect(client.finished).toBe('end');
    expect(stream.closed).toBe(true);
    expect(stream.reason).toBe('server');
    expect(stream.signal.aborted).toBe(true);
    expect(reasons).toEqual(['server']);
  });

  it('calls an onClose listener added after the close at once, and lets listeners be removed', async () => {
    const { stream, client } = open({ heartbeat: false });
    const removed: string[] = [];
    const remove = stream.onClose((reason) => removed.push(reason));
    remove();
    stream.close();
    const late: string[] = [];
    stream.onClose((reason) => late.push(reason));
    expect(late).toEqual(['server']);
    expect(removed).toEqual([]);
    await client.ended;
  });

  it('calls the listeners left in the order they were added, whichever were removed', () => {
    const { stream, client } = open({ heartbeat: false });
    const calls: string[] = [];
    const listener = (name: string) => () => calls.push(name);
    const twice = listener('twice');
    const removeFirst = stream.onClose(listener('first'));
    stream.onClose(twice);
    const removeTwiceOnce = stream.onClose(twice);
    stream.onClose(listener('last'));
    removeFirst();
    removeTwiceOnce();
    removeFirst();
    client.close();
    expect(calls).toEqual(['twice', 'last']);
    expect(stream.reason).toBe('client');
  });

  it('ignores a remover called after the close or after every listener is gone', async () => {
    const { stream, client } = open({ heartbeat: false });
    const calls: string[] = [];
    const remove = stream.onClose(() => calls.push('removed'));
    remove();
    const kept = stream.onClose(() => calls.push('kept'));
    remove();
    stream.close();
    kept();
    expect(calls).toEqual(['kept']);
    await client.ended;
  });
});

describe('SseStream state', () => {
  it('keeps per-connection user data until the client leaves', async () => {
    const { stream, client } = open<{ user?: string }>({ heartbeat: false });
    stream.state.user = 'ada';
    await stream.send(String(stream.state.user));
    const [event] = await client.waitForEvents(1);
    expect(event!.data).toBe('ada');
    expect(stream.state).toEqual({ user: 'ada' });
    client.close();
    expect(stream.closed).toBe(true);
    expect(stream.reason).toBe('client');
  });
});
