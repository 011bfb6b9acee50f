import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import type * as Core from '@sse/core';
import type * as CoreNode from '@sse/core/node';
import { channelTarget } from './listen';
import { publishSingle, sendSingle } from './core';
import { channelOptions, streamOptions, type BenchTarget } from './types';

/**
 * The core binding of another checkout, built (`packages/core/dist`), to compare before and
 * after a change in one interleaved run: `SSE_BENCH_BASELINE=/path/to/checkout`. The same
 * server as the `core` target, on that build's `createChannel` and `openNodeStream`.
 */
export async function createTarget(): Promise<BenchTarget> {
  const root = process.env.SSE_BENCH_BASELINE;
  if (!root) throw new Error('core-before: set SSE_BENCH_BASELINE to a checkout with a built core');
  const dist = `${root}/packages/core/dist`;
  const core = (await import(pathToFileURL(`${dist}/index.mjs`).href)) as typeof Core;
  const node = (await import(pathToFileURL(`${dist}/node.mjs`).href)) as typeof CoreNode;
  const channel = core.createChannel(channelOptions());
  const options = streamOptions();
  const server = createServer((req, res) => {
    const stream = node.openNodeStream(req, res, options);
    if (req.url?.startsWith('/single')) void sendSingle(stream, req.url);
    else if (req.url?.startsWith('/channel-single')) void publishSingle(stream, req.url, core);
    else channel.subscribe(stream);
  });
  return channelTarget(server, channel);
}
