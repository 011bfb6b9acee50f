/**
 * Reports Redis errors once per outage: a Redis that is down fails every reconnect attempt of
 * every connection, and `onError` hears of it once, until the connections are back.
 */
export class OutageReporter {
  private readonly handlers = new Set<(error: unknown) => void>();
  private down = false;

  /** Adds a handler; returns the function that removes it. */
  add(handler: (error: unknown) => void): () => void {
    // Wrapped so that one function added twice is called twice and removed once per call.
    const entry = (error: unknown) => handler(error);
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  /** An error: reported unless this outage was already. */
  report = (error: unknown): void => {
    if (this.down) return;
    this.down = true;
    for (const handler of this.handlers) {
      try {
        handler(error);
      } catch {
        // A throwing onError must not take the connection's event loop down with it.
      }
    }
  };

  /** The connections are back: the next error is a new outage. */
  recovered(): void {
    this.down = false;
  }
}

/** The default `onError`: a process warning. */
export function warn(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`@sse/redis: ${message}`, { code: 'SSE_REDIS' });
}
