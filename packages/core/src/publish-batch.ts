import type { BackplaneEvent } from './backplane';
import { concatBytes } from './bytes';
import { holdFrames, releaseFrames, type HeldFrames } from './write-order';

/**
 * The events a channel published and has not written yet, with their frames. They are written
 * as one chunk per subscriber at the end of the tick or, with a `batchDelay`, when the window
 * closes; anything else writing to a stream meanwhile writes them first (write-order.ts).
 */
export class PublishBatch implements HeldFrames {
  private events: BackplaneEvent[] = [];
  private frames: Uint8Array[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushLater = () => this.flush();

  constructor(
    private readonly delayMs: number,
    private readonly write: (
      events: readonly BackplaneEvent[],
      frames: readonly Uint8Array[],
      joined: Uint8Array,
    ) => void,
  ) {}

  add(event: BackplaneEvent, frame: Uint8Array): void {
    if (this.events.length === 0) {
      holdFrames(this);
      if (this.delayMs > 0) this.timer = setTimeout(this.flushLater, this.delayMs);
      else queueMicrotask(this.flushLater);
    }
    this.events.push(event);
    this.frames.push(frame);
    this.bytes += frame.byteLength;
  }

  /** Writes the held events now (a no-op when there are none). */
  flush(): void {
    const events = this.events;
    if (events.length === 0) return;
    releaseFrames(this);
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const frames = this.frames;
    const joined = frames.length === 1 ? frames[0]! : concatBytes(frames, this.bytes);
    this.events = [];
    this.frames = [];
    this.bytes = 0;
    this.write(events, frames, joined);
  }
}
