import { createGzip } from 'node:zlib';
import type { RequestHandler, Response } from 'express';

type Chunk = string | Uint8Array;

/**
 * Test-only middleware that gzips every response body and exposes `res.flush()`, as
 * `compression()` does, but also for `Cache-Control: no-transform` responses, which
 * `compression()` (1.8) always leaves alone whatever its `filter` says. It stands for a
 * compressing layer that ignores `no-transform`: without a `res.flush()` after each write, zlib
 * would hold the frames back.
 */
export function alwaysGzip(): RequestHandler {
  return (_req, res, next) => {
    const gzip = createGzip();
    const raw = {
      writeHead: res.writeHead.bind(res),
      write: res.write.bind(res),
      end: res.end.bind(res),
    };
    gzip.on('data', (compressed: Buffer) => void raw.write(compressed));
    gzip.on('end', () => void raw.end());
    res.on('close', () => gzip.destroy());

    const writeHead = (...args: Parameters<Response['writeHead']>): Response => {
      res.setHeader('Content-Encoding', 'gzip');
      res.removeHeader('Content-Length');
      return raw.writeHead(...args);
    };
    const write = (chunk: Chunk): boolean => gzip.write(chunk);
    const end = (chunk?: Chunk | (() => void)): Response => {
      if (chunk !== undefined && typeof chunk !== 'function') gzip.write(chunk);
      gzip.end();
      return res;
    };
    Object.assign(res, { writeHead, write, end, flush: () => gzip.flush() });
    next();
  };
}
