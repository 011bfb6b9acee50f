import { errorStatus } from '@sse/core/adapter';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Hono answers an `HTTPException` with its status and message and any other error with 500:
 * an error carrying `status` (a 404 for no such channel, a 401 thrown by a `channel` function)
 * is turned into one, so `app.onError` and Hono's default both answer it as meant.
 */
export function toHttpException(error: unknown): unknown {
  if (error instanceof HTTPException) return error;
  const status = errorStatus(error);
  if (status === undefined) return error;
  const message = error instanceof Error ? error.message : undefined;
  return new HTTPException(status as ContentfulStatusCode, { message, cause: error });
}
