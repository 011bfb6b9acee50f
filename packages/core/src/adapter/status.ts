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
