import { request, type RequestListener, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Runs one named check: prints its outcome and marks the process failed if it throws. */
export async function check(name: string, run: () => Promise<string>): Promise<void> {
  try {
    console.log(`ok    ${name}: ${await run()}`);
  } catch (error) {
    process.exitCode = 1;
    console.log(`FAIL  ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Throws `message` unless `condition` holds. */
export function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** A node:http server on 127.0.0.1 port 0 answering with `listener`. */
export async function serve(
  listener: RequestListener,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** GETs `url` and resolves once the body holds `count` data lines; the request is then dropped. */
export function readEvents(url: string, count: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no ${count} events from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if ((body.match(/^data:/gm)?.length ?? 0) < count) return;
        clearTimeout(timer);
        req.destroy();
        resolve(body);
      });
    });
    req.end();
  });
}
