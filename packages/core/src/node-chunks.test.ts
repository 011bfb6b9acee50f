import { createServer, ServerResponse, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listen, waitUntil, type Listening } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import { openNodeStream } from './node';
import type { SseStream } from './stream';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  Response: typeof ServerResponse = ServerResponse,
): Promise<Listening> {
  const listening = await listen(createServer({ ServerResponse: Response }, handler));
  cleanups.push(() => listening.close());
  return listening;
}

/** A raw TCP client: the bytes exactly as the server wrote them. */
function rawRequest(port: number, request: string): { bytes: () => Buffer; socket: Socket } {
  const chunks: Buffer[] = [];
  const socket = connect(port, '127.0.0.1', () => socket.write(request));
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  cleanups.push(() => socket.destroy());
  return { bytes: () => Buffer.concat(chunks), socket };
}

/** Splits a response into head and body; `undefined` until the head is complete. */
function splitResponse(bytes: Buffer): { head: string; body: Buffer } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return {
    head: bytes.subarray(0, end).toString('latin1'),
    body: bytes.subarray(end + 4),
  };
}

/**
 * Decodes a chunked body strictly: each chunk is a hex size line, exactly that many bytes, and
 * CRLF. Returns the data of the complete chunks; throws on anything malformed.
 */
function decodeChunks(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const sizeText = body.subarray(at, lineEnd).toString('latin1');
    if (!/^[0-9a-f]+$/.test(sizeText))
      throw new Error(`bad chunk size line ${JSON.stringify(sizeText)}`);
    const size = parseInt(sizeText, 16);
    if (size === 0) throw new Error('the body ended');
    const dataEnd = lineEnd + 2 + size;
    if (body.length < dataEnd + 2) break;
    if (body.subarray(dataEnd, dataEnd + 2).toString('latin1') !== '\r\n') {
      throw new Error(`chunk of ${size} bytes not followed by CRLF`);
    }
    out.push(body.subarray(lineEnd + 2, dataEnd));
    at = dataEnd + 2;
  }
  return Buffer.concat(out);
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** The data lines of SSE text (split on LF only: the data may hold U+2028). */
function dataOf(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}
const DATA = ['plain', 'héllo wörld ✓', '😀 emoji, then \u2028 a separator', 'x'.repeat(5000)];

describe('HTTP/1.1 chunks of a node:http SSE response', () => {
  it('are well formed for every frame of a fan-out to several clients, counted in bytes', async () => {
    const channel = createChannel();
    cleanups.push(() => channel.close());
    const server = await serve((req, res) => {
      channel.subscribe(openNodeStream(req, res, { heartbeat: false }));
    });
    const clients = Array.from({ length: 3 }, () => rawRequest(server.port, GET));
    await waitUntil(() => channel.size === 3, 'three subscribers');
    for (const data of DATA) await channel.publish(data);
    for (const data of DATA) {
      // One turn per event, and several in one turn.
      await new Promise((resolve) => setImmediate(resolve));
      void channel.publish(`${data} again`);
    }
    for (const client of clients) {
      await waitUntil(
        () =>
          dataOf(decodeChunks(splitResponse(client.bytes())?.body ?? Buffer.alloc(0)).toString())
            .length === 8,
        'every event',
      );
      const { head, body } = splitResponse(client.bytes())!;
      expect(head).toMatch(/\r\ntransfer-encoding: chunked/i);
      const text = decodeChunks(body).toString('utf8');
      expect(dataOf(text)).toEqual([...DATA, ...DATA.map((d) => `${d} again`)]);
    }
  });

  it('are well formed for text a stream sends itself, and the body ends with the stream', async () => {
    let stream: SseStream | undefined;
    const server = await serve((req, res) => {
      stream = openNodeStream(req, res, { heartbeat: false });
    });
    const client = rawRequest(server.port, GET);
    await waitUntil(() => stream !== undefined, 'the stream');
    for (const data of DATA) await stream!.send(data);
    await stream!.send({ n: 1 }, { event: 'json', id: 'é-1' });
    stream!.close();
    await new Promise((resolve) => client.socket.once('end', resolve));
    const { body } = splitResponse(client.bytes())!;
    expect(body.subarray(-5).toString('latin1')).toBe('0\r\n\r\n');
    const text = decodeChunks(body.subarray(0, -5)).toString('utf8');
    expect(dataOf(text)).toEqual([...DATA, '{"n":1}']);
    expect(text).toContain('id: é-1\nevent: json\n');
  });

  it('are not used for an HTTP/1.0 client: the frames come as they are, until the close', async () => {
    let stream: SseStream | undefined;
    const server = await serve((req, res) => {
      stream = openNodeStream(req, res, { heartbeat: false });
    });
    const client = rawRequest(server.port, 'GET / HTTP/1.0\r\n\r\n');
    await waitUntil(() => stream !== undefined, 'the stream');
    for (const data of DATA) await stream!.send(data);
    stream!.close();
    await new Promise((resolve) => client.socket.once('end', resolve));
    const { head, body } = splitResponse(client.bytes())!;
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(dataOf(body.toString('utf8'))).toEqual(DATA);
  });

  it('send no body to a HEAD request', async () => {
    let stream: SseStream | undefined;
    const server = await serve((req, res) => {
      stream = openNodeStream(req, res, { heartbeat: false });
    });
    const client = rawRequest(server.port, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitUntil(() => stream !== undefined, 'the stream');
    for (const data of DATA) await stream!.send(data);
    stream!.close();
    await waitUntil(() => splitResponse(client.bytes()) !== undefined, 'the head');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(splitResponse(client.bytes())!.body.length).toBe(0);
  });

  it("go through a response's own write when something replaced node's (an injected test response)", async () => {
    const seen: string[] = [];
    // As light-my-request (fastify.inject) does: its own write, on a socket that discards.
    class RecordingResponse extends ServerResponse {
      override write(chunk: unknown, ...rest: never[]): boolean {
        seen.push(Buffer.from(chunk as Uint8Array).toString());
        return super.write(chunk, ...rest);
      }
    }
    const channel = createChannel();
    cleanups.push(() => channel.close());
    const server = await serve(
      (req, res) => {
        channel.subscribe(openNodeStream(req, res, { heartbeat: false }));
      },
      RecordingResponse as typeof ServerResponse,
    );
    rawRequest(server.port, GET);
    await waitUntil(() => channel.size === 1, 'subscribed');
    for (const data of DATA) await channel.publish(data);
    await waitUntil(() => dataOf(seen.join('')).length === DATA.length, 'every frame written');
    expect(dataOf(seen.join(''))).toEqual(DATA);
  });
});
