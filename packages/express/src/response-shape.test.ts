import type { ServerResponse } from 'node:http';
import {
  countSharingHiddenClass,
  hasFastProperties,
  openRawSse,
  serveNodeSse,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, expect, it } from 'vitest';

let server: NodeSseServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The hidden-class fix for Express responses (response-shape.ts) must cost plain ones nothing:
// they keep one class between them and their fast (fixed-offset) properties.
it('leaves node:http responses in fast mode, sharing one hidden class', async () => {
  const responses: ServerResponse[] = [];
  server = await serveNodeSse({ heartbeat: false }, (stream, _req, res) => {
    responses.push(res);
    return stream.send('hello');
  });
  const clients = await Promise.all(Array.from({ length: 20 }, () => openRawSse(server!.url)));
  await Promise.all(clients.map((client) => client.waitForEvents(1)));

  expect(countSharingHiddenClass(responses)).toBe(20);
  expect(responses.every(hasFastProperties)).toBe(true);
  for (const client of clients) client.close();
});
