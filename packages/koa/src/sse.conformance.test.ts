import { createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import Koa from 'koa';
import Koa2 from 'koa2';
import Router from '@koa/router';
import { describeConformance, listen, type SseTarget } from '@sse/test-kit';
import { sse } from './index';

function koaTarget(name: string, App: typeof Koa): SseTarget {
  return {
    name,
    // Koa runs on the node:http2 compatibility API as it is.
    http2: true,
    async start({ options, handler, http2 }) {
      const app = new App();
      const router = new Router();
      router.get('/events', sse(options, handler && ((stream) => handler(stream))));
      app.use(router.routes());
      const callback = app.callback();
      const server = http2
        ? createHttp2Server((req, res) => void callback(req, res))
        : createServer((req, res) => void callback(req, res));
      const { url, close } = await listen(server);
      return { url: `${url}/events`, close };
    },
  };
}

describeConformance(koaTarget('@sse/koa on koa 3', Koa));
describeConformance(koaTarget('@sse/koa on koa 2', Koa2));
