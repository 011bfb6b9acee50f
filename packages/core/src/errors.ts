/** Stable codes carried by every error this library throws. */
export type SseErrorCode =
  | 'ERR_SSE_FORMAT'
  | 'ERR_SSE_OPTIONS'
  | 'ERR_SSE_HEADERS_SENT'
  | 'ERR_SSE_CHANNEL_CLOSED'
  | 'ERR_SSE_NO_CHANNEL'
  | 'ERR_SSE_TOPIC'
  | 'ERR_SSE_BACKPLANE'
  | 'ERR_SSE_RUN'
  | 'ERR_SSE_ENDED';

/** Options of `SseError`. */
export interface SseErrorOptions {
  /**
   * The HTTP status a request failing with this error is answered with (404 for a channel
   * that does not exist, 400 for a bad topic name...). Every adapter honours it before the
   * stream opens.
   */
  status?: number;
  cause?: unknown;
}

/**
 * A misuse of the library: wrong options, a closed channel, a response already started, an
 * event a backplane cannot store as given; or a request naming a channel that does not exist.
 */
export class SseError extends Error {
  readonly code: SseErrorCode;
  /** The HTTP status to answer with, for errors a client's request caused. */
  readonly status: number | undefined;
  /**
   * `true` for a client error (status 4xx): frameworks that check it (Koa, http-errors)
   * then send the message to the client.
   */
  readonly expose: boolean;

  constructor(code: SseErrorCode, message: string, options: SseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SseError';
    this.code = code;
    this.status = options.status;
    this.expose = options.status !== undefined && options.status >= 400 && options.status < 500;
  }
}

/**
 * A field of an event cannot be written to the wire as given (a line break in `event`,
 * a NUL in `id`, a negative `retry`...). Nothing of the event was written.
 */
export class SseFormatError extends TypeError {
  readonly code = 'ERR_SSE_FORMAT';
  /** The offending field: `"data"`, `"event"`, `"id"`, `"retry"` or `"comment"`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`Invalid SSE field "${field}": ${message}`);
    this.name = 'SseFormatError';
    this.field = field;
  }
}

/** @internal A rejected promise carrying what was thrown, unchanged (a serializer may throw anything). */
export function rejected(error: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
  return Promise.reject(error);
}
