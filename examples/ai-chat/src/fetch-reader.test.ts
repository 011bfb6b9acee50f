import { afterEach, describe, expect, it } from 'vitest';
import { skipWithoutRedis } from '@sse/test-kit';
import { answerTokens } from './fake-model';
import { followRun, RunRefusedError, type RunEvent } from './fetch-reader';
import { freshPrefix, startInstance, type RunningInstance } from './testing/instances';
import { startLoadBalancer, type LoadBalancer } from './testing/load-balancer';

skipWithoutRedis();

const closing: (RunningInstance | LoadBalancer)[] = [];
afterEach(async () => {
  for (const running of closing.splice(0)) await running.close();
});

/** Instances A and B behind a balancer that sends every request to `order[0]` while it is up. */
async function setup() {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([
    startInstance({ prefix, tokenDelayMs: 10 }),
    startInstance({ prefix, tokenDelayMs: 10 }),
  ]);
  const order = [a.url, b.url];
  const balancer = await startLoadBalancer(() => order);
  closing.push(balancer, a, b);
  return { a, b, order, balancer };
}

async function ask(url: string, prompt: string): Promise<string> {
  const response = await fetch(`${url}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  return ((await response.json()) as { id: string }).id;
}

describe('followRun (the fetch reader)', () => {
  it('reads an answer with headers, resumes after a dropped connection on the other instance with no gap and no duplicate, then gets 204', async () => {
    const { a, b, order, balancer } = await setup();
    const id = await ask(balancer.url, 'Read me with fetch');
    const url = `${balancer.url}/chat/${id}/events`;
    const events: RunEvent[] = [];
    const followed = await followRun(url, {
      headers: { authorization: 'Bearer demo' },
      retryMs: 50,
      onEvent(event) {
        events.push(event);
        if (events.length === 15) {
          // The network drops; the balancer sends the reconnect to B.
          balancer.dropConnections();
          order.reverse();
        }
      },
    });

    const tokens = events.filter((event) => event.event === 'message').map((event) => event.data);
    expect(tokens).toEqual(answerTokens('Read me with fetch'));
    expect(events[0]).toMatchObject({ event: 'prompt', data: 'Read me with fetch' });
    expect(followed.final).toMatchObject({ event: 'sse-end', data: '{"reason":"done"}' });
    expect(followed.requests).toBe(2);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    const reads = balancer.served.filter((served) => served.path.endsWith('/events'));
    expect(reads.map((served) => served.backend)).toEqual([a.url, b.url]);

    // Asking again from the final id: 204, nothing more.
    const after = await followRun(url, { lastEventId: followed.lastEventId, onEvent: () => {} });
    expect(after).toEqual({ final: undefined, lastEventId: followed.lastEventId, requests: 1 });
  });

  it('rejects with the status when the answer does not exist', async () => {
    const { balancer } = await setup();
    const refused = followRun(`${balancer.url}/chat/${'x'.repeat(65)}/events`, {
      onEvent: () => {},
    });
    await expect(refused).rejects.toBeInstanceOf(RunRefusedError);
    await expect(refused).rejects.toMatchObject({ status: 404 });
  });
});
