import { serveNodeSse, type NodeSseServer } from '@sse/test-kit';
import type { Hub } from './hub-types';

/**
 * A node:http server whose streams follow the hub topics named in `?topic=` (repeatable), and
 * the URL of a stream of `topics`.
 */
export async function serveHubTopics(
  hub: Hub<Record<string, unknown>>,
): Promise<{ server: NodeSseServer; url: (...topics: string[]) => string }> {
  const server = await serveNodeSse({ heartbeat: false }, (stream, req) => {
    const topics = new URL(req.url!, 'http://x').searchParams.getAll('topic');
    hub.topics(topics).subscribe(stream);
  });
  const url = (...topics: string[]) =>
    `${server.url}?${topics.map((topic) => `topic=${topic}`).join('&')}`;
  return { server, url };
}
