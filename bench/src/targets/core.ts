import { createServer } from 'node:http';
import { createChannel } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { makeEvent } from '../payload';
import { channelTarget } from './listen';
import { singleCount, type BenchTarget } from './types';

/** Ours, no framework: `openNodeStream` on node:http and one `createChannel`. */
export function createTarget(): BenchTarget {
  const channel = createChannel();
  const server = createServer((req, res) => {
    const stream = openNodeStream(req, res);
    if (req.url?.startsWith('/single')) {
      void sendSingle(stream, singleCount(req.url));
      return;
    }
    channel.subscribe(stream);
  });
  return channelTarget(server, channel);
}

/** The single-stream workload with our API: `await stream.send()` honours backpressure. */
export async function sendSingle(
  stream: {
    send(data: unknown, options: { id: string }): Promise<void>;
    close(): void;
    closed: boolean;
  },
  n: number,
): Promise<void> {
  for (let seq = 1; seq <= n && !stream.closed; seq++) {
    await stream.send(makeEvent(seq).data, { id: String(seq) });
  }
  stream.close();
}
