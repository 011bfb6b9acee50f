import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { describeConformance, listen, type SseTarget } from '@sse/test-kit';
import {
  errorStatus,
  isSseEnded,
  readLastEventId,
  resolveChannels,
  runSseHandler,
} from '@sse/core/adapter';
import { openNodeStream } from '@sse/core/node';

// The bare node binding: node:http (and h2c node:http2) with openNodeStream at GET /events.
const target: SseTarget = {
  name: '@sse/core/node openNodeStream',
  http2: true,
  async start({ options, handler, http2 }) {
    const { channel, ...streamOptions } = options;
    const serve = (
      req: IncomingMessage | Http2ServerRequest,
      res: ServerResponse | Http2ServerResponse,
    ) => {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/events') {
        res.statusCode = 404;
        res.end();
        return;
      }
      const lastEventId = readLastEventId(req.headers['last-event-id'], req.url);
      void Promise.resolve()
        .then(() => resolveChannels(channel, req, { lastEventId }))
        .then(
          (channels) =>
            runSseHandler(openNodeStream(req, res, streamOptions), channels, handler, []),
          (error: unknown) => {
            if (isSseEnded(error)) {
              res.statusCode = 204;
              res.end();
              return;
            }
            res.statusCode = errorStatus(error) ?? 500;
            res.end(String(error));
          },
        );
    };
    const server = http2 ? createHttp2Server(serve) : createServer(serve);
    const { url, close } = await listen(server);
    return { url: `${url}/events`, close };
  },
};

describeConformance(target);
