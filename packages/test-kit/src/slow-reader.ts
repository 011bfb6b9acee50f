import { request, type IncomingMessage } from 'node:http';
import { retainedMemory } from './memory';

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

/** What `readSlowly` saw: bytes received, the last 200 characters, the memory peak above start. */
export interface SlowRead {
  received: number;
  tail: string;
  peakMemory: number;
}

/**
 * Reads `url` to its end as a slow client would (a pause every 8 chunks), looking at this
 * process's retained memory every 150 chunks.
 */
export async function readSlowly(url: string): Promise<SlowRead> {
  const before = retainedMemory();
  const res = await openSlowReader(url);
  let received = 0;
  let tail = '';
  let peakMemory = 0;
  for (let chunks = 0; ; chunks++) {
    const chunk = await readChunk(res);
    if (chunk === null) break;
    received += chunk.length;
    tail = (tail + chunk.toString('latin1')).slice(-200);
    if (chunks % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    if (chunks % 150 === 0) peakMemory = Math.max(peakMemory, retainedMemory() - before);
  }
  return { received, tail, peakMemory };
}
