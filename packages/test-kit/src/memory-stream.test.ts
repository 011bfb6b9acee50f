import { describe, expect, it } from 'vitest';
import { useMemoryStreams } from './memory-stream';

const open = useMemoryStreams();

describe('openMemoryStream', () => {
  it('hands the client what the stream wrote on the next turn, parsed', async () => {
    const { stream, client } = open({ heartbeat: false, retry: 500 });
    void stream.send('héllo', { id: '1', event: 'greeting' });
    void stream.comment('note');
    expect(client.events).toEqual([]);
    expect(client.bufferedBytes).toBeGreaterThan(0);
    const [event] = await client.waitForEvents(1);
    expect(event).toEqual({ id: '1', event: 'greeting', data: 'héllo' });
    expect(client.retries).toEqual([500]);
    expect(client.comments).toEqual(['', 'note']);
    expect(client.writes).toBe(3);
    expect(client.bufferedBytes).toBe(0);
  });

  it('holds what a paused client does not read, and drains the stream as it reads', async () => {
    const { stream, client } = open({ heartbeat: false, paused: true, highWaterMark: 1024 });
    const sent = stream.send('x'.repeat(2000));
    let resolved = false;
    void sent.then(() => (resolved = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    expect(stream.bufferedBytes).toBe(client.bufferedBytes);
    expect(client.bufferedBytes).toBeGreaterThan(2000);
    // Part of it: still over the high-water mark, and a cut that is not a frame's end.
    expect(client.read(500)).toBe(500);
    await Promise.resolve();
    expect(resolved).toBe(false);
    client.read();
    await sent;
    expect(client.bufferedBytes).toBe(0);
    expect((await client.waitForEvents(1))[0]!.data).toHaveLength(2000);
  });

  it('reads again after resume()', async () => {
    const { stream, client } = open({ heartbeat: false });
    client.pause();
    void stream.send('held');
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.events).toEqual([]);
    client.resume();
    expect((await client.waitForEvents(1))[0]!.data).toBe('held');
  });

  it('ends after the client read what was queued when the server closes', async () => {
    const { stream, client } = open({ heartbeat: false, paused: true });
    void stream.send('last');
    stream.close();
    expect(client.finished).toBeUndefined();
    client.read();
    await client.ended;
    expect(client.finished).toBe('end');
    expect(client.events.map((event) => event.data)).toEqual(['last']);
  });

  it('closes the stream as "client" when the client leaves, and "error" when it fails', () => {
    const left = open({ heartbeat: false });
    left.client.close();
    expect(left.stream.reason).toBe('client');
    expect(left.client.finished).toBe('destroy');
    const failed = open({ heartbeat: false });
    const reasons: [string, unknown][] = [];
    failed.stream.onClose((reason, error) => reasons.push([reason, error]));
    const error = new Error('reset');
    failed.client.fail(error);
    expect(reasons).toEqual([['error', error]]);
  });

  it('passes lastEventId to the stream', () => {
    const { stream } = open({ heartbeat: false, lastEventId: '42' });
    expect(stream.lastEventId).toBe('42');
  });
});
