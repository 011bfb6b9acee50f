/** What an example app answers for an error. */
export interface ErrorAnswer {
  status: number;
  body: { error: string };
}

/**
 * A client's error (a 4xx `status` or `statusCode`) is answered with its status and message;
 * anything else is a 500 without details (the app logs it).
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  const { status, statusCode, message } = (error ?? {}) as {
    status?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  const code = Number(status ?? statusCode);
  if (code >= 400 && code < 500) return { status: code, body: { error: String(message) } };
  return { status: 500, body: { error: 'internal error' } };
}
