import type { SseEventName } from '../channel-types';

/** The event a run ends with (`run.end(data)`); readers' streams close after it. */
export const RUN_END_EVENT = 'sse-end';
/** The event a failed run ends with (`run.fail(error)`); readers' streams close after it. */
export const RUN_ERROR_EVENT = 'sse-error';

/** Options of `hub.run`. */
export interface RunOptions {
  /**
   * Seconds the run's events and status are kept after it ends (or after its last write), so
   * a reader arriving late, or resuming after a reload, still gets all of it.
   * @default the hub's `ttl` (86400, one day)
   */
  ttl?: number;
  /**
   * Milliseconds within which a broker that supports it (`redisBroker`) presumes the producing
   * process dead once it stops renewing, and fails the run for every reader.
   * @default 10000
   */
  lease?: number;
}

/** Options of `run.publish`. */
export interface RunPublishOptions<Name extends string> {
  /** The event name; omitted means `message`. `sse-end` and `sse-error` are the run's own. */
  event?: Name;
}

/**
 * A finite, durable stream with one producer: an AI response being generated, a job's
 * progress, a build log. Readers subscribe to its topic (`hub.topics(name)`) and come and go;
 * the run goes on without them.
 */
export interface Run<Events extends object> {
  /** The topic the run is published on. */
  readonly name: string;
  /**
   * Aborted when `hub.cancel(name)` is called on any instance sharing the broker (with
   * `memoryBroker`, in this process). A reader leaving never aborts it.
   */
  readonly signal: AbortSignal;
  /**
   * Appends an event. Resolves with its id once accepted (not yet stored): events are batched
   * into few store round trips. Waits while the store falls behind, so a fast producer is paced.
   */
  publish<Name extends SseEventName<Events> = 'message' & SseEventName<Events>>(
    data: Events[Name],
    options?: RunPublishOptions<Name>,
  ): Promise<string>;
  /**
   * Appends the final `sse-end` event (with `data`, default `{}`); resolves with its id once it
   * and everything before it are stored. Readers' streams then close.
   */
  end(data?: unknown): Promise<string>;
  /**
   * Appends the final `sse-error` event: `{ message }` for an `Error` (its message only) or a
   * string, else `error` as given (default `{ message: "failed" }`). Resolves as `end`.
   */
  fail(error?: unknown): Promise<string>;
}
