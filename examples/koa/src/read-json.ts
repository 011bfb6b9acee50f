import type { Context } from 'koa';

const LIMIT_BYTES = 64 * 1024;

/** Reads a small JSON request body (Koa has no body parser built in); throws 4xx on bad input. */
export async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) {
    ctx.throw(415, 'send a JSON body with Content-Type: application/json');
  }
  let text = '';
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > LIMIT_BYTES) ctx.throw(413, 'body too large');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.throw(400, 'the body is not valid JSON');
  }
}
