import type { HandOffResponse } from './hand-off';
import type { Context } from 'hono';

/**
 * The Node response @hono/node-server serves this request's body into (`c.env.outgoing`),
 * or undefined elsewhere (Bun, Deno, Workers, `app.request()`).
 */
export function nodeServerResponse(c: Context): HandOffResponse | undefined {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  return isNodeResponse(outgoing) ? outgoing : undefined;
}

function isNodeResponse(value: unknown): value is HandOffResponse {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof HandOffResponse, unknown>>;
  return (
    typeof candidate.write === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.destroy === 'function' &&
    typeof candidate.headersSent === 'boolean'
  );
}
