import type { BrokerRuns, RunStartOptions, RunState } from './broker';

/** What a broker does when a run starts or its `ttl` passes. */
export interface MemoryRunsHooks {
  /** The run's history must be kept whole from now on. */
  started?(topic: string): void;
  /** The run's `ttl` passed: its history may go. */
  expired?(topic: string): void;
}

// setTimeout fires at once for delays over 2^31 - 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  state: RunState;
  ttlMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Run state and cancels for one process: `memoryBroker`'s, and a hub's own when its broker has
 * none. A run's state is forgotten `ttl` after it started or finished.
 */
export class MemoryRuns implements BrokerRuns {
  private readonly entries = new Map<string, Entry>();
  private readonly cancelListeners = new Map<string, Set<() => void>>();

  constructor(private readonly hooks: MemoryRunsHooks = {}) {}

  start(topic: string, options: RunStartOptions): void {
    this.forget(topic);
    const entry: Entry = { state: { status: 'running' }, ttlMs: options.ttlMs, timer: undefined };
    this.entries.set(topic, entry);
    this.hooks.started?.(topic);
    this.expireLater(topic, entry);
  }

  finish(topic: string, state: RunState): void {
    const entry = this.entries.get(topic);
    if (!entry) return;
    entry.state = state;
    this.expireLater(topic, entry);
  }

  state(topic: string): RunState | undefined {
    return this.entries.get(topic)?.state;
  }

  cancel(topic: string): void {
    for (const listener of [...(this.cancelListeners.get(topic) ?? [])]) listener();
  }

  onCancel(topic: string, listener: () => void): () => void {
    let listeners = this.cancelListeners.get(topic);
    if (!listeners) this.cancelListeners.set(topic, (listeners = new Set()));
    const entry = () => listener();
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
      if (listeners.size === 0 && this.cancelListeners.get(topic) === listeners) {
        this.cancelListeners.delete(topic);
      }
    };
  }

  /** Forgets every run and stops their timers. */
  clear(): void {
    for (const topic of [...this.entries.keys()]) this.forget(topic);
    this.cancelListeners.clear();
  }

  private expireLater(topic: string, entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(
      () => {
        if (this.entries.get(topic) !== entry) return;
        this.entries.delete(topic);
        this.hooks.expired?.(topic);
      },
      Math.min(entry.ttlMs, MAX_TIMER_MS),
    );
    // A run's ttl never keeps a process alive.
    (entry.timer as { unref?: () => void }).unref?.();
  }

  private forget(topic: string): void {
    const entry = this.entries.get(topic);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(topic);
  }
}
