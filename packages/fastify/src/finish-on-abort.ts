import type { ServerResponse } from 'node:http';

/**
 * Makes fastify complete a hijacked HTTP/1 reply whose client left.
 *
 * Fastify 5 runs `onResponse` hooks and writes its `request completed` log line when the raw
 * response emits `finish` (or `error`). A `node:http` response whose client went away emits
 * only `close`, and that is how nearly every SSE response ends (a tab closes), so the hooks
 * would never run. Once the response has closed without `finish`, this emits `finish` for it,
 * as Node's `node:http2` compatibility layer already does when a stream is closed or reset.
 */
export function finishOnAbort(res: ServerResponse): void {
  let finished = false;
  const onFinish = (): void => {
    finished = true;
  };
  res.once('finish', onFinish);
  const complete = (): void => {
    res.removeListener('finish', onFinish);
    // node:http's own 'finish' listener detaches the response from its socket; a response
    // still queued behind a pipelined one has no socket yet and is left alone.
    if (!finished && res.socket) res.emit('finish');
  };
  // The client may have left before the stream opened: 'close' has fired already.
  if (res.destroyed) complete();
  else res.once('close', complete);
}
