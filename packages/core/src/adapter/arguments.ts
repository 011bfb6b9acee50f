import { SseError } from '../errors';

/**
 * Sorts out the three call forms shared by every adapter: `sse(handler)`, `sse(options)`,
 * `sse(options, handler)`.
 */
export function parseSseArguments<
  Options extends object,
  Handler extends (...args: never[]) => unknown,
>(
  first: Options | Handler | undefined,
  second: Handler | undefined,
): { options: Options; handler: Handler | undefined } {
  if (typeof first === 'function') {
    if (second !== undefined) {
      throw new SseError(
        'ERR_SSE_OPTIONS',
        'sse(handler) takes no second argument; use sse(options, handler)',
      );
    }
    return { options: {} as Options, handler: first };
  }
  if (first !== undefined && (first === null || typeof first !== 'object')) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `sse() expects options or a handler, got ${String(first)}`,
    );
  }
  if (second !== undefined && typeof second !== 'function') {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `sse(options, handler): handler must be a function, got ${typeof second}`,
    );
  }
  return { options: first ?? ({} as Options), handler: second };
}
