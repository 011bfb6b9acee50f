import type { Backplane } from '../backplane';
import type { BrokerRuns, RunState } from '../brokers/broker';
import { rejected, SseError } from '../errors';
import { nextEventId } from '../event-id';
import { assertFieldValue, serializeData, type SseSerializer } from '../framing';
import { RunWriter } from './run-writer';
import { RUN_END_EVENT, RUN_ERROR_EVENT, type Run, type RunPublishOptions } from './run-types';

/** What a run needs from its hub. */
export interface RunContext {
  readonly name: string;
  readonly backplane: Backplane;
  readonly runs: BrokerRuns;
  readonly ttlMs: number;
  readonly leaseMs: number;
  readonly serialize: SseSerializer | undefined;
  /** Called once the run has ended or failed (or could not start). */
  readonly done: () => void;
}

/**
 * One run as `hub.run` makes it. Ids are the run's own increasing sequence (`<ms>-<seq>` of
 * this process), assigned at `publish`, so `publish` resolves with the id before the event is
 * stored and the events can be stored in batches (run-writer.ts).
 */
export class RunImpl implements Run<Record<string, unknown>> {
  readonly name: string;
  private readonly controller = new AbortController();
  private readonly writer: RunWriter;
  private readonly stopCancel: () => void;
  private final: Promise<string> | undefined;

  constructor(private readonly context: RunContext) {
    this.name = context.name;
    const { runs, name, ttlMs, leaseMs } = context;
    let ready: Promise<void>;
    try {
      // Called at once: with memoryBroker the status reads "running" as soon as run() returns.
      ready = Promise.resolve(runs.start(name, { ttlMs, leaseMs }));
    } catch (error) {
      ready = rejected(error);
    }
    this.writer = new RunWriter(context.backplane, ready);
    this.stopCancel = runs.onCancel(name, () => this.controller.abort());
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Round trips to the store so far. */
  get appends(): number {
    return this.writer.appends;
  }

  publish(data: unknown, options?: RunPublishOptions<string>): Promise<string> {
    try {
      this.assertRunning('publish');
      const event = options?.event;
      if (event !== undefined) {
        assertFieldValue('event', event);
        if (event === RUN_END_EVENT || event === RUN_ERROR_EVENT) {
          throw new SseError(
            'ERR_SSE_RUN',
            `"${event}" is the run's final event: call run.end() or run.fail() instead`,
          );
        }
      }
      const text = serializeData(data, this.context.serialize);
      const id = nextEventId();
      return this.writer
        .push({ id, event, data: text, serialized: typeof data !== 'string' })
        .then(() => id);
    } catch (error) {
      return rejected(error);
    }
  }

  end(data: unknown = {}): Promise<string> {
    return this.finish('ended', RUN_END_EVENT, data);
  }

  fail(error: unknown = { message: 'failed' }): Promise<string> {
    const data =
      error instanceof Error
        ? { message: error.message }
        : typeof error === 'string'
          ? { message: error }
          : error;
    return this.finish('failed', RUN_ERROR_EVENT, data);
  }

  private finish(status: RunState['status'], event: string, data: unknown): Promise<string> {
    try {
      this.assertRunning(status === 'ended' ? 'end' : 'fail');
      const text = serializeData(data, this.context.serialize);
      const id = nextEventId();
      this.final = this.store(status, id, event, text, typeof data !== 'string');
      return this.final;
    } catch (error) {
      return rejected(error);
    }
  }

  private async store(
    status: RunState['status'],
    id: string,
    event: string,
    data: string,
    serialized: boolean,
  ): Promise<string> {
    const { runs, name, backplane, done } = this.context;
    try {
      await this.writer.flushed();
      // The state first: a reader that sees the final id then finds the run over (a 204).
      await runs.finish(name, { status, finalId: id });
      await this.writer.push({ id, event, data, serialized });
      await this.writer.flushed();
      return id;
    } finally {
      this.stopCancel();
      void backplane.close?.();
      done();
    }
  }

  private assertRunning(call: string): void {
    if (this.final) {
      throw new SseError('ERR_SSE_RUN', `${call}() on run "${this.name}" after end() or fail()`);
    }
  }
}
