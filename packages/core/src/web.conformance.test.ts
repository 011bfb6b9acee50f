import { describeConformance, serveFetch, serveFetchHttp2, type SseTarget } from '@sse/test-kit';
import { createResponse, subscribeAll } from '@sse/core';
import { errorStatus, isSseEnded, readLastEventId, resolveChannels } from '@sse/core/adapter';

// The bare web binding: createResponse served by @hono/node-server at GET /events.
const target: SseTarget = {
  name: '@sse/core createResponse on @hono/node-server',
  http2: true,
  async start({ options, handler, http2 }) {
    const { channel, ...streamOptions } = options;
    const fetch = async (request: Request): Promise<Response> => {
      if (new URL(request.url).pathname !== '/events') return new Response(null, { status: 404 });
      // @hono/node-server (1.19) creates the request's AbortController on first access of
      // `signal` and only aborts one that exists when the client leaves: touch it before any
      // await, or a client that leaves during the channel lookup is never seen leaving.
      void request.signal;
      let channels;
      try {
        const lastEventId = readLastEventId(request.headers.get('last-event-id'), request.url);
        channels = await resolveChannels(channel, request, { lastEventId });
      } catch (error) {
        if (isSseEnded(error)) return new Response(null, { status: 204 });
        return new Response(String(error), { status: errorStatus(error) ?? 500 });
      }
      return createResponse(request, streamOptions, (stream) => {
        subscribeAll(stream, channels);
        return handler?.(stream);
      });
    };
    const { url, close } = await (http2 ? serveFetchHttp2(fetch) : serveFetch(fetch));
    return { url: `${url}/events`, close };
  },
};

describeConformance(target);
