import { readPublishBody, type BodySource } from '@sse/example-shared';

/** The most events one `POST /load` may publish. */
export const MAX_LOAD_EVENTS = 10_000;

export type LoadRequest =
  { ok: true; events: number } | { ok: false; status: number; error: string };

/** Reads `{ "events": n }` (1 <= n <= MAX_LOAD_EVENTS) from a JSON body. */
export async function readLoadRequest(
  contentType: string | undefined,
  body: BodySource,
): Promise<LoadRequest> {
  const read = await readPublishBody(contentType, body);
  if (!read.ok) return read;
  const events = (read.data as { events?: unknown } | null)?.events;
  if (
    !Number.isSafeInteger(events) ||
    (events as number) < 1 ||
    (events as number) > MAX_LOAD_EVENTS
  ) {
    return {
      ok: false,
      status: 400,
      error: `"events" must be an integer from 1 to ${MAX_LOAD_EVENTS}`,
    };
  }
  return { ok: true, events: events as number };
}
