import { compareEventIds, type BackplaneEvent } from '@sse/core';
import { describe, expect, it } from 'vitest';
import { TopicFeed } from './topic-feed';

const keys = { stream: 'sse:{t}', trimmed: 'sse:{t}:trimmed', channel: 'sse:{t}:live' };

/** A feed whose listener records the data it is handed. */
function recordedFeed() {
  const feed = new TopicFeed(keys, (error) => {
    throw error;
  });
  const got: string[] = [];
  feed.listeners.add((event) => got.push(event.data));
  feed.subscribed = true;
  return { feed, got };
}

/** An event as a stream read returns it. */
function stored(id: string, data: string): BackplaneEvent {
  return { id, data, serialized: false };
}

/** What a stream read of `stream` (`XRANGE (cursor +`) hands the feed. */
function readAfterCursor(feed: TopicFeed, stream: readonly BackplaneEvent[]): BackplaneEvent[] {
  const cursor = feed.cursor ?? '0-0';
  return stream.filter((event) => compareEventIds(event.id, cursor)! > 0);
}

/** An event as the append script publishes it live. */
function live(feed: TopicFeed, id: string, data: string): void {
  feed.onMessage(`${id}\n00\n\n${data}`, keys.channel);
}

describe('TopicFeed: live copies of what a stream read handed over', () => {
  it('skips a live copy that arrives after the read', () => {
    const { feed, got } = recordedFeed();
    feed.hold();
    feed.caughtUp([stored('5-0', 'a')], true);
    live(feed, '5-0', 'a');
    live(feed, '6-0', 'b');
    expect(got).toEqual(['a', 'b']);
  });

  it('skips a live copy held during the read', () => {
    const { feed, got } = recordedFeed();
    feed.hold();
    live(feed, '5-0', 'a');
    feed.caughtUp([stored('5-0', 'a')], true);
    live(feed, '6-0', 'b');
    expect(got).toEqual(['a', 'b']);
  });

  // A Cluster node's connection coming up makes every feed read again; the live copy of what
  // the first read found can arrive during the second.
  it('skips a live copy that arrives during a later read that found nothing new', () => {
    const { feed, got } = recordedFeed();
    feed.hold();
    feed.caughtUp([stored('5-0', 'a')], true);
    feed.hold();
    live(feed, '5-0', 'a');
    feed.caughtUp([], true);
    live(feed, '6-0', 'b');
    expect(got).toEqual(['a', 'b']);
  });

  it('delivers what arrived live after an interrupted read once the next read covers it', () => {
    const { feed, got } = recordedFeed();
    feed.hold();
    live(feed, '6-0', 'b');
    feed.caughtUp([stored('5-0', 'a')], false);
    live(feed, '7-0', 'c');
    feed.caughtUp([stored('6-0', 'b'), stored('7-0', 'c')], true);
    live(feed, '8-0', 'd');
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets live events through once one that no read handed over arrives', () => {
    const { feed, got } = recordedFeed();
    feed.hold();
    // Read 4-0 (published before the subscription: it never comes live) and 5-0.
    feed.caughtUp([stored('4-0', 'x'), stored('5-0', 'a')], true);
    live(feed, '5-0', 'a');
    live(feed, '6-0', 'b');
    live(feed, '7-0', 'c');
    expect(got).toEqual(['x', 'a', 'b', 'c']);
  });

  // The subscription's acknowledgement and the first live messages can come in one socket
  // read, before the first stream read has begun.
  it('holds live events that arrive before its first read, which starts where it listened', () => {
    const { feed, got } = recordedFeed();
    const stream = [stored('5-0', 'a'), stored('6-0', 'b'), stored('7-0', 'c')];
    live(feed, '7-0', 'c');
    // Where the feed began to listen (redis-topics.ts, on Redis's clock), unless it moved.
    feed.cursor ??= '4-0';
    feed.hold();
    feed.caughtUp(readAfterCursor(feed, stream), true);
    live(feed, '8-0', 'd');
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps live events held through a failed read, for the read that follows', () => {
    const { feed, got } = recordedFeed();
    const stream = [stored('5-0', 'a'), stored('6-0', 'b')];
    feed.cursor = '4-0';
    feed.hold();
    live(feed, '6-0', 'b');
    feed.catchUpFailed();
    feed.hold();
    feed.caughtUp(readAfterCursor(feed, stream), true);
    expect(got).toEqual(['a', 'b']);
  });

  it('lets held events through once 10,000 wait while reads keep failing', () => {
    const { feed, got } = recordedFeed();
    feed.cursor = '0-0';
    feed.hold();
    for (let n = 1; n <= 10_000; n++) live(feed, `${n}-0`, `${n}`);
    feed.catchUpFailed();
    expect(got).toEqual([]);
    live(feed, '10001-0', '10001');
    feed.catchUpFailed();
    expect(got).toHaveLength(10_001);
    expect(got.at(-1)).toBe('10001');
  });
});
