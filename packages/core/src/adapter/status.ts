/**
 * The HTTP status an error asks to be answered with (`status` or `statusCode`, 400-599), as
 * `SseError`, http-errors, Koa's `ctx.throw` and Fastify's errors carry it; `undefined` for
 * any other error.
 */
export function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}

/**
 * `true` for the error a channel throws when the client already has everything
 * (`ERR_SSE_ENDED`: a run's final event as its `Last-Event-ID`). Answer `204 No Content`, so
 * that an `EventSource` stops reconnecting, rather than taking the error path.
 */
export function isSseEnded(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_SSE_ENDED';
}
