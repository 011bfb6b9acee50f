/**
 * `pnpm check:chunks`: how many HTTP chunks a burst of frames takes on the wire. Joining the
 * frames of a tick into one write is a cost measure (one chunk header and one writev entry
 * instead of hundreds); the tests assert what a client sees (every event, in order, intact),
 * this check keeps the joining itself in view.
 */
import { connect } from 'node:net';
import { createChannel } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { check, expect, serve } from './check';

/** Reads a chunked HTTP/1.1 response off a raw socket until `frames` frames have arrived. */
function countChunks(url: string, frames: number): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${frames} frames within 5 s`));
    }, 5000);
    socket.on('error', reject);
    socket.setEncoding('latin1');
    let raw = '';
    let inBody = false;
    let chunks = 0;
    let body = '';
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
        body += raw.slice(lineEnd + 2, lineEnd + 2 + size);
        raw = raw.slice(lineEnd + 2 + size + 2);
        chunks++;
        if ((body.match(/^data:/gm)?.length ?? 0) >= frames) {
          clearTimeout(timer);
          socket.destroy();
          resolve(chunks);
          return;
        }
      }
    });
  });
}

await check('openNodeStream joins 200 frames sent in one tick into few chunks', async () => {
  const server = await serve((req, res) => {
    const stream = openNodeStream(req, res, { heartbeat: false });
    // One synchronous burst, as a `send()` loop that never waits produces.
    for (let n = 1; n <= 200; n++) void stream.send({ n, text: `événement ${n}` });
  });
  try {
    const chunks = await countChunks(server.url, 200);
    // The opening comment goes out at once; the burst needs far fewer chunks than frames.
    expect(chunks <= 5, `${chunks} chunks for 200 frames`);
    return `${chunks} chunks for 200 frames`;
  } finally {
    await server.close();
  }
});

await check('a channel with batchDelay writes a window of events as one chunk', async () => {
  const channel = createChannel({ batchDelay: 200 });
  const server = await serve((req, res) => {
    channel.subscribe(openNodeStream(req, res, { heartbeat: false }));
  });
  try {
    const counting = countChunks(server.url, 20);
    while (channel.size < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 20; i++) {
      await channel.publish(`event ${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const chunks = await counting;
    // The opening comment and the cursor, then a few windows.
    expect(chunks <= 5, `${chunks} chunks for 20 events`);
    return `${chunks} chunks for 20 events`;
  } finally {
    channel.close();
    await server.close();
  }
});
