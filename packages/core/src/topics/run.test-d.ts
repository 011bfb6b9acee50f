import { describe, expectTypeOf, it } from 'vitest';
import type { RunStatus } from '../brokers/broker';
import { createHub } from './hub';
import type { Run } from './run-types';

interface AnswerEvents {
  message: string;
  usage: { tokens: number };
}

describe('hub.run types', () => {
  it('types a run by the hub’s event map', () => {
    const hub = createHub<AnswerEvents>();
    const run = hub.run('answer:1', { ttl: 3600, lease: 5000 });
    expectTypeOf(run).toEqualTypeOf<Run<AnswerEvents>>();
    expectTypeOf(run.signal).toEqualTypeOf<AbortSignal>();
    expectTypeOf(run.publish('token')).toEqualTypeOf<Promise<string>>();
    void run.publish({ tokens: 3 }, { event: 'usage' });
    expectTypeOf(run.end()).toEqualTypeOf<Promise<string>>();
    expectTypeOf(run.fail(new Error('x'))).toEqualTypeOf<Promise<string>>();
    expectTypeOf(hub.runStatus('answer:1')).toEqualTypeOf<Promise<RunStatus>>();
    expectTypeOf(hub.cancel('answer:1')).toEqualTypeOf<Promise<void>>();

    // @ts-expect-error a message is a string
    void run.publish({ tokens: 3 });
    // @ts-expect-error the event name must exist in the map
    void run.publish('x', { event: 'other' });
  });
});
