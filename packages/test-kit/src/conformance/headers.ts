import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { openHttp2Sse } from './http2-client';
import { splitUrl, type ConformanceHarness } from './harness';
import type { SseTarget } from './target';

/** Headers: the response head of DESIGN.md, over HTTP/1.1 and (where supported) HTTP/2. */
export function describeHeaders(target: SseTarget, harness: ConformanceHarness): void {
  describe('headers', () => {
    it('answers 200 with the SSE headers over HTTP/1.1 (supertest)', async () => {
      // The handler ends the stream at once so supertest sees a complete response.
      const server = await harness.start({
        options: { heartbeat: false },
        handler: (stream) => stream.close(),
      });
      const { origin, path } = splitUrl(server.url);
      // Browsers keep connections alive (supertest alone would ask for `Connection: close`).
      const response = await request(origin)
        .get(path)
        .set('Accept', 'text/event-stream')
        .set('Connection', 'keep-alive');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache, no-transform');
      expect(response.headers['x-accel-buffering']).toBe('no');
      expect(response.headers['connection']).toMatch(/^keep-alive$/i);
      expect(response.headers['content-length']).toBeUndefined();
    });

    it('streams without a Content-Length on a live connection', async () => {
      const server = await harness.start({ options: { heartbeat: false } });
      const client = await harness.raw(server.url);
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(client.headers['content-length']).toBeUndefined();
    });

    if (target.http2) {
      it('sends no connection-specific header over HTTP/2', async () => {
        const server = await harness.start({ options: { heartbeat: false }, http2: true });
        const client = await openHttp2Sse(server.url);
        try {
          expect(client.status).toBe(200);
          expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
          expect(client.headers['cache-control']).toBe('no-cache, no-transform');
          expect(client.headers['x-accel-buffering']).toBe('no');
          expect(client.headers['connection']).toBeUndefined();
          expect(client.headers['keep-alive']).toBeUndefined();
          expect(client.headers['transfer-encoding']).toBeUndefined();
          // Flushed at once over HTTP/2 too: the opening comment arrives before any event.
          await client.waitForText((text) => text.startsWith(':'));
        } finally {
          client.close();
        }
      });
    }
  });
}
