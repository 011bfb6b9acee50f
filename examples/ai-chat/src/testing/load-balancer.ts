import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { listen, type Listening } from '@sse/test-kit';

/** Which backends may serve a request, in the order to try them. */
export type Route = (method: string, path: string) => readonly string[];

/** A request the balancer passed on, and the backend that answered it. */
export interface Served {
  method: string;
  path: string;
  backend: string;
}

/** A tiny HTTP load balancer in front of the chat's instances, as a test drives it. */
export interface LoadBalancer {
  /** `http://127.0.0.1:PORT`: the one origin the browser sees. */
  url: string;
  /** Every request passed on so far, with the backend that took it. */
  served: Served[];
  /** Drops every open client connection, as a flaky network does. */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy on port 0 that sends each request to the first backend of `route` that
 * accepts the connection: a backend that is down (connection refused) is skipped, as a load
 * balancer's health check would. Responses are piped through as they come, so an SSE stream
 * streams; when the backend's connection dies mid-response, the client's is cut too.
 */
export async function startLoadBalancer(route: Route): Promise<LoadBalancer> {
  const served: Served[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void forward(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const body = await readBody(req);
    for (const backend of route(req.method ?? 'GET', path)) {
      const upstream = await connect(backend, req, path, body);
      if (!upstream) continue; // down: the next one
      served.push({ method: req.method ?? 'GET', path, backend });
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
      upstream.on('error', () => res.destroy());
      upstream.once('close', () => {
        if (!upstream.complete) res.destroy(); // the backend died mid-response
      });
      res.once('close', () => upstream.destroy()); // the client left
      return;
    }
    res.writeHead(502).end('no backend up');
  }

  const listening: Listening = await listen(server);
  return {
    url: listening.url,
    served,
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return listening.close();
    },
  };
}

/** The backend's response, or undefined when it refuses the connection. */
function connect(
  backend: string,
  req: IncomingMessage,
  path: string,
  body: Buffer,
): Promise<IncomingMessage | undefined> {
  return new Promise((resolve) => {
    // A connection per request (no pool): nothing stale survives a backend's death.
    const upstream = httpRequest(new URL(path, backend), {
      method: req.method,
      headers: req.headers,
      agent: false,
    });
    upstream.once('response', resolve);
    upstream.once('error', () => resolve(undefined));
    upstream.end(body);
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
