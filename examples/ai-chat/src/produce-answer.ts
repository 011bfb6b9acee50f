import type { Run } from '@sse/core';
import { streamAnswer } from './fake-model';
import type { AiChatEvents } from './app';

/**
 * Streams the model's answer to `prompt` into `run`: first the prompt itself (event `prompt`,
 * so a reader joining late, or a reloaded page, shows the question too), then each token as a
 * `message`, then `sse-end` `{ reason: "done" | "stopped" }`. A model error fails the run:
 * readers get `sse-error` `{ message }`. Never rejects.
 */
export async function produceAnswer(
  run: Run<AiChatEvents>,
  prompt: string,
  tokenDelayMs: number,
): Promise<void> {
  try {
    await run.publish(prompt, { event: 'prompt' });
    for await (const token of streamAnswer(prompt, { signal: run.signal, delayMs: tokenDelayMs })) {
      // Resolves once accepted, not stored: tokens go to Redis in batches.
      await run.publish(token);
    }
    await run.end({ reason: run.signal.aborted ? 'stopped' : 'done' });
  } catch (error) {
    // Redis gone for good, or the hub closed under the run: readers learn it from the lease.
    await run.fail(error).catch((failure: unknown) => console.error('run failed:', failure));
  }
}
