import type { ReplyMessage } from './protocol';

/**
 * The child side of `BenchChild`: answers each command from the orchestrator with `handle`'s
 * value (or its error), and says `ready` with the port it serves on, if any.
 */
export function serveCommands<Command extends { cmd: string }>(
  handle: (command: Command) => Promise<unknown>,
  port?: number,
): void {
  process.on('message', (message: Command & { id: number }) => {
    handle(message).then(
      (value) =>
        process.send?.({ type: 'reply', id: message.id, ok: true, value } satisfies ReplyMessage),
      (error: unknown) =>
        process.send?.({
          type: 'reply',
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies ReplyMessage),
    );
  });
  process.send?.({ type: 'ready', port });
}

/** Reports a failure to start, then exits. */
export function failToStart(error: unknown): void {
  process.send?.({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  setImmediate(() => process.exit(1));
}

/** Exits after the reply to `exit` has gone out. */
export function exitSoon(): void {
  setImmediate(() => process.exit(0));
}
