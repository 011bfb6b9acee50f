import { serveNodeSse, type NodeSseServer } from '@sse/test-kit';
import { afterEach } from 'vitest';
import type { Hub } from './hub-types';

const serving: { hub: Hub<Record<string, unknown>>; server: NodeSseServer }[] = [];
// What a test served is closed after it, hub and server.
afterEach(async () => {
  for (const { hub, server } of serving.splice(0)) {
    hub.close();
    await server.close();
  }
});

/**
 * A node:http server whose streams follow the hub topics named in `?topic=` (repeatable), and
 * the URL of a stream of `topics`. The hub and the server are closed after the test.
 */
export async function serveHubTopics(
  hub: Hub<Record<string, unknown>>,
): Promise<{ server: NodeSseServer; url: (...topics: string[]) => string }> {
  const server = await serveNodeSse({ heartbeat: false }, (stream, req) => {
    const topics = new URL(req.url!, 'http://x').searchParams.getAll('topic');
    hub.topics(topics).subscribe(stream);
  });
  serving.push({ hub, server });
  const url = (...topics: string[]) =>
    `${server.url}?${topics.map((topic) => `topic=${topic}`).join('&')}`;
  return { server, url };
}
