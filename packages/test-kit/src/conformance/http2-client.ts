import { connect, type IncomingHttpHeaders } from 'node:http2';
import { waitUntil } from '../wait';

/** An SSE response read over cleartext HTTP/2. */
export interface Http2SseResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The decoded body so far. */
  text(): string;
  /** Resolves once the body text satisfies `predicate`. */
  waitForText(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Closes the HTTP/2 session. */
  close(): void;
}

/** GETs `url` over h2c (prior knowledge) and resolves with the response head. */
export function openHttp2Sse(url: string, timeoutMs = 5000): Promise<Http2SseResponse> {
  const { origin, pathname, search } = new URL(url);
  const session = connect(origin);
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      clearTimeout(timer);
      session.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const timer = setTimeout(() => fail(new Error(`no HTTP/2 response from ${url}`)), timeoutMs);
    session.on('error', fail);
    const request = session.request({
      ':method': 'GET',
      ':path': `${pathname}${search}`,
      accept: 'text/event-stream',
    });
    request.on('error', fail);
    request.setEncoding('utf8');
    let body = '';
    request.on('data', (chunk: string) => (body += chunk));
    request.on('response', (headers) => {
      clearTimeout(timer);
      resolve({
        status: Number(headers[':status']),
        headers,
        text: () => body,
        async waitForText(predicate, waitMs = 5000) {
          await waitUntil(
            () => predicate(body),
            `HTTP/2 body to match; got ${JSON.stringify(body)}`,
            waitMs,
          );
          return body;
        },
        close: () => {
          request.close();
          session.destroy();
        },
      });
    });
  });
}
