/** The largest `POST /publish` body the examples accept, in bytes. */
export const PUBLISH_BODY_LIMIT_BYTES = 64 * 1024;

/** What `readPublishBody` made of a request: the parsed JSON, or the answer to refuse it with. */
export type PublishBody =
  | { ok: true; data: unknown }
  | {
      ok: false;
      /** 415: not a JSON content type; 413: over the limit; 400: not valid JSON. */
      status: 400 | 413 | 415;
      /** Says what is wrong, for the `{ "error": ... }` answer. */
      error: string;
    };

/** A request body as a Node request (`AsyncIterable`) or a fetch `Request.body`. */
export type BodySource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** `application/json` or any `+json` type, with or without parameters (`; charset=utf-8`). */
function isJsonContentType(contentType: string | null | undefined): boolean {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType);
}

async function* chunksOf(source: BodySource): AsyncGenerator<Uint8Array> {
  if (!('getReader' in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The one rule for `POST /publish` in every example: the content type must be JSON (else 415,
 * without reading the body), the body at most `limitBytes` (else 413) and valid JSON (else 400).
 *
 * @param contentType - The request's `Content-Type` header.
 * @param body - The unread request body (`null` or `undefined` when there is none).
 * @param limitBytes - The largest body accepted. @default PUBLISH_BODY_LIMIT_BYTES
 */
export async function readPublishBody(
  contentType: string | null | undefined,
  body: BodySource | null | undefined,
  limitBytes: number = PUBLISH_BODY_LIMIT_BYTES,
): Promise<PublishBody> {
  if (!isJsonContentType(contentType)) {
    return {
      ok: false,
      status: 415,
      error: 'send a JSON body with Content-Type: application/json',
    };
  }
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of body ? chunksOf(body) : []) {
    bytes += chunk.byteLength;
    // Past the limit, keep draining without keeping anything: stopping early would reset the
    // connection before the client could read the 413.
    if (bytes <= limitBytes) text += decoder.decode(chunk, { stream: true });
  }
  if (bytes > limitBytes) {
    return { ok: false, status: 413, error: `the body is over ${limitBytes} bytes` };
  }
  text += decoder.decode();
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, error: 'the body is not valid JSON' };
  }
}
