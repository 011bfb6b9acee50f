import { waitUntil } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { countUtf8Bytes } from './bytes';
import { createChannel } from './channel';
import { createSseBody } from './web';

const decoder = new TextDecoder();

function open(options: Parameters<typeof createSseBody>[1] = {}) {
  const { stream, body } = createSseBody(new Request('http://localhost/events'), {
    heartbeat: false,
    ...options,
  });
  return { stream, reader: body.getReader() };
}

async function readText(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const { done, value } = await reader.read();
  if (done) throw new Error('the body ended');
  return decoder.decode(value);
}

describe('createSseBody body', () => {
  it('hands everything written since the last read to the body as one chunk', async () => {
    const { stream, reader } = open();
    await stream.send('one');
    await stream.send('two', { id: '2' });
    await stream.comment('three');

    expect(await readText(reader)).toBe(': \n\ndata: one\n\nid: 2\ndata: two\n\n: three\n\n');
    stream.close();
  });

  it('gives a write at once to a read that is already waiting', async () => {
    const { stream, reader } = open();
    await readText(reader);
    const next = reader.read();
    await stream.send('now');

    const { value } = await next;
    expect(decoder.decode(value)).toBe('data: now\n\n');
    stream.close();
  });

  it('counts unread bytes as UTF-8 and waits for a read past highWaterMark', async () => {
    const { stream, reader } = open({ highWaterMark: 64 });
    await readText(reader);
    const data = 'é€😀'.repeat(4); // 2 + 3 + 4 bytes, four times
    const frameBytes = Buffer.byteLength(`data: ${data}\n\n`);
    await stream.send(data);
    expect(stream.bufferedBytes).toBe(frameBytes);

    let sent = false;
    const second = stream.send(data).then(() => (sent = true));
    expect(stream.bufferedBytes).toBe(2 * frameBytes);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toBe(false);

    expect(await readText(reader)).toBe(`data: ${data}\n\n`.repeat(2));
    await second;
    expect(stream.bufferedBytes).toBe(0);
    stream.close();
  });

  it("keeps the order of a channel's byte frames and the stream's own text frames", async () => {
    const channel = createChannel();
    const { stream, reader } = open();
    channel.subscribe(stream);
    await stream.send('a');
    void channel.publish('b');
    await stream.send('c');
    await channel.publish('d');

    const text = await readText(reader);
    expect(text.match(/^data: .$/gm)).toEqual(['data: a', 'data: b', 'data: c', 'data: d']);
    channel.close();
  });

  it('ends the body after what is still unread when the server closes', async () => {
    const { stream, reader } = open();
    await stream.send('last');
    stream.close();

    expect(await readText(reader)).toBe(': \n\ndata: last\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('drops what is unread and errors the body when the client is too slow', async () => {
    const { stream, reader } = open({ highWaterMark: 256, maxBufferedBytes: 1024 });
    const frame = 'x'.repeat(200);
    for (let i = 0; i < 10 && !stream.closed; i++) void stream.send(frame);
    await waitUntil(() => stream.closed, 'the slow close');

    expect(stream.reason).toBe('slow');
    expect(stream.bufferedBytes).toBe(0);
    await expect(reader.read()).rejects.toThrow('SSE stream closed');
  });
});

describe('countUtf8Bytes', () => {
  it('counts what Buffer counts, lone surrogates as U+FFFD', () => {
    const samples = [
      '',
      'ascii',
      'é',
      '€',
      '😀',
      'a😀b€cé',
      '\ud800',
      'x\udc00y',
      '\ud83d',
      '\u07ff\u0800',
    ];
    for (const text of samples) expect(countUtf8Bytes(text)).toBe(Buffer.byteLength(text));
  });
});
