import { createServer } from 'node:http';
import { createChannel, type SseStream } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { makeEvent } from '../payload';
import { channelTarget } from './listen';
import {
  channelOptions,
  nextTurn,
  singleCount,
  singlePerTurn,
  streamOptions,
  type BenchTarget,
} from './types';

/** Ours, no framework: `openNodeStream` on node:http and one `createChannel`. */
export function createTarget(): BenchTarget {
  const channel = createChannel(channelOptions());
  const options = streamOptions();
  const server = createServer((req, res) => {
    const stream = openNodeStream(req, res, options);
    if (req.url?.startsWith('/single')) {
      void sendSingle(stream, req.url);
      return;
    }
    if (req.url?.startsWith('/channel-single')) {
      void publishSingle(stream, req.url);
      return;
    }
    channel.subscribe(stream);
  });
  return channelTarget(server, channel);
}

/** The single-stream workloads with our API: `await stream.send()` honours backpressure. */
export async function sendSingle(
  stream: {
    send(data: unknown, options: { id: string }): Promise<void>;
    close(): void;
    closed: boolean;
  },
  url: string | undefined,
): Promise<void> {
  const n = singleCount(url);
  const perTurn = singlePerTurn(url);
  for (let seq = 1; seq <= n && !stream.closed; seq++) {
    await stream.send(makeEvent(seq).data, { id: String(seq) });
    if (perTurn) await nextTurn();
  }
  stream.close();
}

/**
 * A channel of its own with this one subscriber; events published back to back, each `publish`
 * awaited (it waits while the subscriber is over its buffer budget).
 */
export async function publishSingle(
  stream: SseStream<object>,
  url: string | undefined,
  core: { createChannel: typeof createChannel } = { createChannel },
) {
  const n = singleCount(url);
  const channel = core.createChannel();
  channel.subscribe(stream);
  for (let seq = 1; seq <= n && !stream.closed; seq++) {
    await channel.publish(makeEvent(seq).data);
  }
  stream.close();
}
