import { request, type IncomingMessage } from 'node:http';

/** Opens `url` paused and hands back the response, read by the caller one chunk at a time. */
export function openSlowReader(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream' }, agent: false });
    req.on('response', (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads one chunk (or `null` at the end), so the reader goes at the pace the test sets. */
export function readChunk(res: IncomingMessage): Promise<Buffer | null> {
  const chunk = res.read() as Buffer | null;
  if (chunk !== null || res.readableEnded) return Promise.resolve(chunk);
  return new Promise((resolve) => {
    const done = () => {
      res.off('readable', done);
      res.off('end', done);
      resolve(res.read() as Buffer | null);
    };
    res.on('readable', done);
    res.on('end', done);
  });
}
