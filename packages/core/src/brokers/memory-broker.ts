import {
  memoryBackplane,
  type Backplane,
  type BackplaneAppendInput,
  type BackplaneEvent,
  type BackplaneReadResult,
} from '../backplane';
import { SseError } from '../errors';
import { currentEventId } from '../event-id';
import type { Broker } from './broker';
import { MemoryRuns } from './memory-runs';
import { runLog } from './run-log';
import { TopicExpiry } from './topic-expiry';

/** Options of `memoryBroker`. */
export interface MemoryBrokerOptions {
  /**
   * How many of the most recent events each topic keeps for replay.
   * @default 1000
   */
  history?: number;
  /**
   * Seconds a topic's history is kept after its last publish, whether or not anyone listens.
   * @default 86400
   */
  ttl?: number;
}

type Listener = (event: BackplaneEvent) => void;

/** One topic while it has history or open backplanes. */
interface Topic {
  store: Backplane;
  stopStore: () => void;
  readonly listeners: Set<Listener>;
  /** Backplane objects of this topic not closed yet: while any is, the topic stays. */
  open: number;
  /** The process position when this history began: ids before it may be of an expired one. */
  since: string;
  appended: number;
  /** A run's topic: its history is kept whole until the run's own `ttl`. */
  run: boolean;
}

const DEFAULT_TTL_S = 86_400;

/**
 * The broker for one process: every topic's events in memory (a `memoryBackplane` each), kept
 * `ttl` seconds after the topic's last publish. Memory follows use: a topic nobody listens to
 * is forgotten once its history expires, and expiry costs one timer for the whole broker.
 *
 * A client resuming from an id of a history that expired gets the gap event.
 *
 * @example
 * const broker = memoryBroker({ history: 100, ttl: 3600 });
 * const room = createChannel({ backplane: broker.backplane('room:1') });
 */
export function memoryBroker(options: MemoryBrokerOptions = {}): Broker {
  const { history = 1000, ttl = DEFAULT_TTL_S } = options;
  if (!Number.isSafeInteger(history) || history < 0) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `history must be a non-negative integer, got ${String(history)}`,
    );
  }
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `ttl must be a positive number of seconds, got ${String(ttl)}`,
    );
  }
  const topics = new Map<string, Topic>();
  const expiry = new TopicExpiry(ttl * 1000, (name) => expire(name));
  // A store that never holds anything: reads of topics that have no history.
  const empty = memoryBackplane({ history: 0 });
  let closed = false;

  const startHistory = (topic: Topic, store: Backplane = memoryBackplane({ history })) => {
    topic.store = store;
    topic.stopStore = topic.store.listen((event) => {
      for (const listener of topic.listeners) listener(event);
    });
    // The process's position: every id of this history comes after it, every older one not.
    topic.since = currentEventId();
    topic.appended = 0;
  };

  const create = (name: string): Topic => {
    const topic: Topic = {
      store: empty,
      stopStore: noop,
      listeners: new Set(),
      open: 0,
      since: '0-0',
      appended: 0,
      run: false,
    };
    startHistory(topic);
    topics.set(name, topic);
    return topic;
  };

  function expire(name: string): void {
    const topic = topics.get(name);
    if (!topic) return;
    topic.stopStore();
    topic.run = false;
    // Listened to still: the history goes, the topic stays.
    if (topic.open > 0) startHistory(topic);
    else topics.delete(name);
  }

  const release = (name: string, topic: Topic) => {
    topic.open--;
    if (topic.open === 0 && topic.appended === 0 && topics.get(name) === topic) {
      topic.stopStore();
      topics.delete(name);
    }
  };

  const runs = new MemoryRuns({
    started(name) {
      const topic = topics.get(name) ?? create(name);
      topic.stopStore();
      topic.run = true;
      startHistory(topic, runLog());
    },
    expired(name) {
      if (topics.get(name)?.run) expire(name);
    },
  });

  const readAfter = async (
    name: string,
    lastEventId: string,
    limit?: number,
  ): Promise<BackplaneReadResult> => {
    const topic = topics.get(name);
    const result = await (topic?.store ?? empty).readAfter(lastEventId, limit);
    // A run's log knows its own gaps; it reads in pages, so fewer events than appended is not one.
    if (topic?.run) return result;
    if (lastEventId === '0-0') {
      // From the start: a gap only when this history already dropped some of its events.
      return { ...result, gap: (topic?.appended ?? 0) > result.events.length };
    }
    if (result.gap || !expiry.mayHaveExpired(lastEventId, topic?.since)) return result;
    return { ...result, gap: true };
  };

  const append = (name: string, input: BackplaneAppendInput): Promise<string> => {
    if (closed) {
      return Promise.reject(new SseError('ERR_SSE_BACKPLANE', 'append() on a closed broker'));
    }
    // After close() the topic may have been dropped: publishing brings it back.
    const current = topics.get(name) ?? create(name);
    current.appended++;
    // A run's history expires with the run (MemoryRuns), not with the broker's ttl.
    if (!current.run) expiry.touch(name);
    return current.store.append(input);
  };

  return {
    runs,
    backplane(name) {
      if (closed) throw new SseError('ERR_SSE_BACKPLANE', 'backplane() on a closed broker');
      assertTopic(name);
      const topic = topics.get(name) ?? create(name);
      topic.open++;
      const mine = new Set<Listener>();
      let released = false;
      return {
        append: (input) => append(name, input),
        // Stored at once and in order: the memory store appends synchronously.
        appendMany: (inputs) => Promise.all(inputs.map((input) => append(name, input))),
        readAfter: (lastEventId, limit) => readAfter(name, lastEventId, limit),
        lastId() {
          const current = topics.get(name);
          if (!current || current.appended === 0) return current?.since ?? currentEventId();
          return current.store.lastId?.() ?? null;
        },
        listen(listener) {
          if (closed || released) return noop;
          // Wrapped so the same function can listen twice and be removed once per call.
          const entry: Listener = (event) => listener(event);
          mine.add(entry);
          topic.listeners.add(entry);
          return () => {
            mine.delete(entry);
            topic.listeners.delete(entry);
          };
        },
        close() {
          if (released) return Promise.resolve();
          released = true;
          for (const entry of mine) topic.listeners.delete(entry);
          mine.clear();
          release(name, topic);
          return Promise.resolve();
        },
      };
    },

    close() {
      closed = true;
      expiry.stop();
      runs.clear();
      for (const topic of topics.values()) {
        topic.stopStore();
        topic.listeners.clear();
      }
      topics.clear();
      return Promise.resolve();
    },
  };
}

/** Throws unless `name` can name a topic. */
export function assertTopic(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `a topic is a non-empty string, got ${typeof name === 'string' ? '""' : String(name)}`,
    );
  }
}

function noop(): void {}
