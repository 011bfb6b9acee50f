/** The response headers of an SSE stream, for the given HTTP major version. */
export function sseHeaders(httpVersionMajor: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // Tells nginx not to buffer the response.
    'x-accel-buffering': 'no',
  };
  // Connection-specific headers are forbidden in HTTP/2 (RFC 9113 §8.2.2).
  if (httpVersionMajor < 2) headers.connection = 'keep-alive';
  return headers;
}

/** Headers an upstream middleware may have set that must not reach an SSE response. */
export const CONFLICTING_HEADERS = ['content-length', 'transfer-encoding'] as const;

/** Headers that are invalid on HTTP/2 responses. */
export const HTTP2_FORBIDDEN_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
] as const;
