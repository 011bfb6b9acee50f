/**
 * `pnpm check:shapes`: the hidden-class fix for Express responses, read from V8 itself
 * (`%HaveSameMap`, `%HasFastProperties`). Its effect is speed (README.md, "Express and Hono
 * fan-out: the second pass"), which no test asserts; this check keeps the cause in view.
 */
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import { createChannel } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { sse } from '@sse/express';
import express5 from 'express';
import { check, expect, readEvents, serve } from './check';
import { countSharingHiddenClass, hasFastProperties } from './natives';

const CLIENTS = 20;
// Express 4 is a dev dependency of @sse/express (npm:express@4), not of the bench.
const express4 = createRequire(import.meta.resolve('@sse/express'))('express4') as typeof express5;

/** Opens `CLIENTS` streams on `url` and waits for one event on each. */
async function readAll(url: string): Promise<void> {
  await Promise.all(Array.from({ length: CLIENTS }, () => readEvents(url, 1)));
}

// The fix must cost plain node:http responses nothing: one class between them, fast properties.
await check('node:http responses keep one hidden class and fast properties', async () => {
  const responses: ServerResponse[] = [];
  const server = await serve((req, res) => {
    responses.push(res);
    void openNodeStream(req, res, { heartbeat: false }).send('hello');
  });
  try {
    await readAll(server.url);
  } finally {
    await server.close();
  }
  const sharing = countSharingHiddenClass(responses);
  const fast = responses.filter(hasFastProperties).length;
  expect(sharing === CLIENTS, `${sharing} of ${CLIENTS} share the first one's class`);
  expect(fast === CLIENTS, `${fast} of ${CLIENTS} in fast mode`);
  return `${sharing}/${CLIENTS} share, ${fast}/${CLIENTS} fast`;
});

// Express swaps every response's prototype and then adds to it, which leaves each response
// with a class of its own; Node's write path then meets one class per client.
for (const [name, createApp] of [
  ['express 5', express5],
  ['express 4', express4],
] as const) {
  await check(`${name} responses share one hidden class`, async () => {
    const channel = createChannel();
    const responses: ServerResponse[] = [];
    const app = createApp();
    app.get(
      '/events',
      (_req, res, next) => {
        responses.push(res);
        next();
      },
      sse({ channel, heartbeat: false }),
    );
    const server = await serve(app);
    try {
      const reading = Array.from({ length: CLIENTS }, () => readEvents(`${server.url}/events`, 1));
      while (channel.size < CLIENTS) await new Promise((resolve) => setTimeout(resolve, 10));
      await channel.publish({ hello: 'world' });
      await Promise.all(reading);
    } finally {
      channel.close();
      await server.close();
    }
    const sharing = countSharingHiddenClass(responses);
    expect(sharing === CLIENTS, `${sharing} of ${CLIENTS} share the first one's class`);
    return `${sharing}/${CLIENTS} share`;
  });
}
