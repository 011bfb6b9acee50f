import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type Broker, type Hub, type Run } from '@sse/core';
import { openRawSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { createClient } from 'redis';
import type { RedisConnection } from './connection';
import { redisBroker } from './index';
import { startOwnRedis, type OwnRedis } from './redis-test-helpers.test-helper';

// These tests kill connections and stop Redis: they run a redis-server of their own.
type Tokens = { message: string };
let redis: OwnRedis | undefined;
let admin: RedisConnection | undefined;
const brokers: Broker[] = [];
const hubs: Hub<Tokens>[] = [];
const servers: NodeSseServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const hub of hubs.splice(0)) hub.close();
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  admin?.destroy();
  await redis?.stop();
  redis = admin = undefined;
});

/**
 * A Redis of the test's own whose users log in: a connection that fails to log in then (see
 * `producerUser`) cannot fall back to the default user.
 */
async function ownRedis(): Promise<{ url: string; admin: RedisConnection }> {
  redis = await startOwnRedis();
  admin = createClient({ url: redis.url });
  // Tests stop this Redis: the admin connection's errors then are expected.
  admin.on('error', () => {});
  await admin.connect();
  await admin.sendCommand(['ACL', 'SETUSER', 'default', 'resetpass', '>admin']);
  return { url: redis.url.replace('redis://', 'redis://default:admin@'), admin };
}

/** An instance: a hub on a redisBroker of its own. */
function instance(url: string): Hub<Tokens> {
  const broker = redisBroker({ url, onError: () => {} });
  const hub = createHub<Tokens>({ broker });
  brokers.push(broker);
  hubs.push(hub);
  return hub;
}

/** A producer as an application writes one: tokens until it is stopped, then the end. */
async function produce(run: Run<Tokens>): Promise<void> {
  for (let n = 0; !run.signal.aborted; n++) {
    await run.publish(`t${n} `);
    await sleep(20);
  }
  await run.end({ reason: 'stopped' });
}

async function reader(hub: Hub<Tokens>, name: string) {
  const server = await serveNodeSse({ heartbeat: false }, (stream) => {
    hub.topics(name).subscribe(stream);
  });
  servers.push(server);
  return openRawSse(server.url);
}

/** The url of a Redis user `producer` that may do everything, less what `rules` take away. */
async function producerUser(admin: RedisConnection, url: string, rules: string[]): Promise<string> {
  await admin.sendCommand(['ACL', 'SETUSER', 'producer', 'on', '>secret', '~*', '&*', '+@all']);
  if (rules.length > 0) await admin.sendCommand(['ACL', 'SETUSER', 'producer', ...rules]);
  return url.replace('default:admin@', 'producer:secret@');
}

async function subscribers(admin: RedisConnection, channel: string): Promise<number> {
  const reply = (await admin.sendCommand(['PUBSUB', 'NUMSUB', channel])) as [string, number];
  return Number(reply[1]);
}

describe('hub.cancel on redisBroker', () => {
  it('stops a run whose producer was reconnecting its subscriber when the cancel was sent', async () => {
    const { url, admin } = await ownRedis();
    const producerUrl = await producerUser(admin, url, []);
    const [a, b] = [instance(producerUrl), instance(url)];
    // A lease long enough that its renewal cannot be what delivers the cancel here.
    const run = a.run('answer:1', { lease: 60_000 });
    const producing = produce(run);
    const client = await reader(b, 'answer:1');
    await client.waitForEvents(3);
    const cancelChannel = `sse:{answer:1}:cancel`;
    await waitUntil(
      async () => (await subscribers(admin, cancelChannel)) === 1,
      'the producer listens',
    );

    // The producer's subscriber connection drops and cannot log in again for now (its
    // connection for commands, already logged in, goes on): the cancel is published to no one.
    await admin.sendCommand(['ACL', 'SETUSER', 'producer', 'off']);
    await admin.sendCommand(['CLIENT', 'KILL', 'USER', 'producer', 'TYPE', 'pubsub']);
    await b.cancel('answer:1');
    expect(await subscribers(admin, cancelChannel)).toBe(0);
    await sleep(300);
    expect(run.signal.aborted).toBe(false);

    await admin.sendCommand(['ACL', 'SETUSER', 'producer', 'on']);
    const backAt = Date.now();
    await waitUntil(() => run.signal.aborted, 'the producer heard the cancel', 5_000);
    console.info(
      `cancel missed by pub/sub: heard ${Date.now() - backAt} ms after Redis let the producer back`,
    );
    await producing;
    await client.ended;
    expect(client.events.at(-1)).toMatchObject({ event: 'sse-end', data: '{"reason":"stopped"}' });
    expect(await b.runStatus('answer:1')).toBe('ended');
  }, 20_000);

  it('stops a run whose producer cannot subscribe at all, at its next lease renewal', async () => {
    const { url, admin } = await ownRedis();
    // The producer may do everything but subscribe: every cancel message misses it.
    const producerUrl = await producerUser(admin, url, ['-subscribe', '-ssubscribe']);
    const [a, b] = [instance(producerUrl), instance(url)];
    const lease = 1_500;
    const run = a.run('answer:2', { lease });
    const producing = produce(run);
    const client = await reader(b, 'answer:2');
    await client.waitForEvents(3);

    await b.cancel('answer:2');
    const cancelledAt = Date.now();

    // Renewed every third of the lease: heard within one renewal, bounded here by the lease.
    await waitUntil(() => run.signal.aborted, 'the producer heard the cancel', lease);
    console.info(
      `cancel missed by pub/sub (no subscription): heard ${Date.now() - cancelledAt} ms later (lease ${lease} ms)`,
    );
    await producing;
    await client.ended;
    expect(client.events.at(-1)).toMatchObject({ event: 'sse-end', data: '{"reason":"stopped"}' });
  }, 20_000);

  it('leaves unknown and finished runs alone, and a new run of a cancelled name runs', async () => {
    const { url } = await ownRedis();
    const [a, b] = [instance(url), instance(url)];
    await expect(b.cancel('never-ran')).resolves.toBeUndefined();
    expect(await b.runStatus('never-ran')).toBe('unknown');

    const first = a.run('answer:3', { lease: 600 });
    await first.publish('one');
    await b.cancel('answer:3');
    await waitUntil(() => first.signal.aborted, 'the first run cancelled');
    await first.end({ reason: 'stopped' });
    await b.cancel('answer:3');

    // The name runs again: neither cancel of the first run reaches it, at any renewal.
    const second = a.run('answer:3', { lease: 600 });
    await second.publish('two');
    await sleep(1_000);
    expect(second.signal.aborted).toBe(false);
    await second.end();
    expect(await b.runStatus('answer:3')).toBe('ended');
  }, 20_000);

  it('rejects while Redis is unreachable: the cancel was not recorded', async () => {
    const { url } = await ownRedis();
    const [a, b] = [instance(url), instance(url)];
    const run = a.run('answer:4');
    await run.publish('one');
    await redis!.stop();
    await expect(b.cancel('answer:4')).rejects.toThrow();
  }, 20_000);
});
