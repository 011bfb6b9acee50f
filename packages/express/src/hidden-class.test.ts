import { createServer, type ServerResponse } from 'node:http';
import express from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { createChannel } from '@sse/core';
import { countSharingHiddenClass, listen, useTestResources, waitUntil } from '@sse/test-kit';
import { sse } from './index';

// Express swaps every response's prototype and then adds to it, which leaves each response
// with a V8 hidden class of its own; Node's write path then meets one class per client
// (bench/README.md: fan-out to 1000 Express clients ~25% slower). The stream gives them one.
describe.each([
  ['express 5', express],
  ['express 4', express4],
])('streams on %s responses', (_name, createApp) => {
  const resources = useTestResources();

  it('share one hidden class, as node:http responses do', async () => {
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
    const { url } = resources.server(await listen(createServer(app)));
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => resources.raw(`${url}/events`)),
    );
    await waitUntil(() => channel.size === 20, 'every stream subscribed');
    await channel.publish({ hello: 'world' });
    await Promise.all(clients.map((client) => client.waitForEvents(1)));

    expect(countSharingHiddenClass(responses)).toBe(20);
  });
});
