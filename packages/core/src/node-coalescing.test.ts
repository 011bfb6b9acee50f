import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { listen, waitUntil, type Listening } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import { openNodeStream } from './node';

let server: Listening | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await server?.close();
  server = socket = undefined;
});

/** Reads a chunked HTTP/1.1 response off a raw socket: its chunks, and the events in them. */
function readChunked(url: string): { chunks: string[]; events: EventSourceMessage[] } {
  const { hostname, port } = new URL(url);
  const chunks: string[] = [];
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  let raw = '';
  let inBody = false;
  socket = connect(Number(port), hostname, () => {
    socket!.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
  });
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => {
    raw += data;
    if (!inBody) {
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      raw = raw.slice(end + 4);
      inBody = true;
    }
    for (;;) {
      const lineEnd = raw.indexOf('\r\n');
      if (lineEnd < 0) return;
      const size = parseInt(raw.slice(0, lineEnd), 16);
      if (raw.length < lineEnd + 2 + size + 2) return;
      const chunk = Buffer.from(raw.slice(lineEnd + 2, lineEnd + 2 + size), 'latin1').toString();
      raw = raw.slice(lineEnd + 2 + size + 2);
      chunks.push(chunk);
      parser.feed(chunk);
    }
  });
  return { chunks, events };
}

describe('openNodeStream writes', () => {
  it('joins the frames sent within one tick into few chunks, in order and intact', async () => {
    server = await listen(
      createServer((req, res) => {
        const stream = openNodeStream(req, res, { heartbeat: false });
        // One synchronous burst, as a `send()` loop that never waits produces.
        for (let n = 1; n <= 200; n++) void stream.send({ n, text: `événement ${n}` });
      }),
    );
    const { chunks, events } = readChunked(server.url);
    await waitUntil(() => events.length === 200, 'all 200 events');
    expect(events.map((event) => (JSON.parse(event.data) as { n: number }).n)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(events[199]!.data).toBe('{"n":200,"text":"événement 200"}');
    // The opening comment went out at once; the burst needs far fewer chunks than frames.
    expect(chunks.length).toBeLessThanOrEqual(5);
  });

  it('keeps order and bytes when text and channel frames are joined in one tick', async () => {
    const channel = createChannel();
    server = await listen(
      createServer((req, res) => {
        const stream = openNodeStream(req, res, { heartbeat: false });
        channel.subscribe(stream);
        for (let n = 1; n <= 3; n++) void stream.send(`texte ${n} é`);
        for (let n = 4; n <= 6; n++) void channel.publish(`canal ${n} ✓`);
        for (let n = 7; n <= 9; n++) void stream.send(`texte ${n} é`);
      }),
    );
    const { events } = readChunked(server.url);
    await waitUntil(() => events.length === 9, 'all 9 events');
    expect(events.map((event) => event.data)).toEqual([
      ...[1, 2, 3].map((n) => `texte ${n} é`),
      ...[4, 5, 6].map((n) => `canal ${n} ✓`),
      ...[7, 8, 9].map((n) => `texte ${n} é`),
    ]);
  });
});
