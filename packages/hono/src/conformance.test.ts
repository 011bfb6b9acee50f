import { describeConformance, serveFetch, serveFetchHttp2, type SseTarget } from '@sse/test-kit';
import { Hono } from 'hono';
import { sse } from './index';

// @sse/hono on @hono/node-server, over HTTP/1.1 and cleartext HTTP/2.
const target: SseTarget = {
  name: '@sse/hono on @hono/node-server',
  http2: true,
  async start({ options, handler, http2 }) {
    const app = new Hono();
    app.get('/events', sse(options, handler && ((stream) => handler(stream))));
    const { url, close } = await (http2 ? serveFetchHttp2(app.fetch) : serveFetch(app.fetch));
    return { url: `${url}/events`, close };
  },
};

describeConformance(target);
