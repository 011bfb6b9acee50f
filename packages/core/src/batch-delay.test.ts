import { useMemoryStreams } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { createChannel } from './channel';

const open = useMemoryStreams();

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createChannel({ batchDelay })', () => {
  it('writes events published one per turn within the window as one write, in order', async () => {
    const channel = createChannel({ batchDelay: 200 });
    let firstAt = 0;
    const { stream, client } = open({
      heartbeat: false,
      onEvent: () => (firstAt ||= performance.now()),
    });
    channel.subscribe(stream);
    await client.waitForText((text) => text.includes('id:'));
    const writesBefore = client.writes;
    const started = performance.now();
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      sent.push(`event ${i}`);
      await channel.publish(`event ${i}`);
      await nextTurn();
    }
    const events = await client.waitForEvents(20);
    expect(events.map((event) => event.data)).toEqual(sent);
    // 20 events in a few writes (one per window), not 20.
    expect(client.writes - writesBefore).toBeLessThanOrEqual(3);
    // The first event waited for its window, and not much longer.
    expect(firstAt - started).toBeGreaterThanOrEqual(150);
    expect(firstAt - started).toBeLessThan(1000);
    channel.close();
  });

  it('writes each event at once by default', async () => {
    const channel = createChannel();
    const { stream, client } = open({ heartbeat: false });
    channel.subscribe(stream);
    const writesBefore = client.writes;
    for (let i = 0; i < 5; i++) {
      await channel.publish(`event ${i}`);
      await client.waitForEvents(i + 1);
      expect(client.writes - writesBefore).toBe(i + 1);
    }
    channel.close();
  });

  it('rejects a negative or non-numeric window', () => {
    expect(() => createChannel({ batchDelay: -1 })).toThrow(/batchDelay/);
    expect(() => createChannel({ batchDelay: Number.NaN })).toThrow(/batchDelay/);
  });
});
