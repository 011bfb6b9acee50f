/** Stable codes carried by every error this library throws. */
export type SseErrorCode =
  | 'ERR_SSE_FORMAT'
  | 'ERR_SSE_OPTIONS'
  | 'ERR_SSE_HEADERS_SENT'
  | 'ERR_SSE_CHANNEL_CLOSED'
  | 'ERR_SSE_BACKPLANE';

/**
 * A misuse of the library: wrong options, a closed channel, a response already started, an
 * event a backplane cannot store as given.
 */
export class SseError extends Error {
  readonly code: SseErrorCode;

  constructor(code: SseErrorCode, message: string) {
    super(message);
    this.name = 'SseError';
    this.code = code;
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
