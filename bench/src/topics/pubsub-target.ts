import { createServer, type ServerResponse } from 'node:http';
import { createClient } from 'redis';
import { closeServer, listenServer } from '../targets/listen';
import { HEADERS } from '../targets/raw';
import { topicNamesOf } from './protocol';
import { redisPrefix, redisUrl, type TopicsTarget } from './targets';

/**
 * The transport's limit: plain node-redis PUBLISH of the frame, one SUBSCRIBE per topic with
 * local subscribers, written as received to a `Map<topic, Set<response>>`. No history, no ids.
 */
export async function createPubSubTarget(): Promise<TopicsTarget> {
  const publisher = createClient({ url: redisUrl() });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const prefix = redisPrefix();
  const topics = new Map<string, Set<ServerResponse>>();
  const subscriptions = new Map<string, Promise<unknown>>();
  let live = 0;
  let failedPublishes = 0;
  const server = createServer((req, res) => {
    const names = topicNamesOf(req.url);
    res.writeHead(200, HEADERS);
    res.write(':\n\n');
    const subscribed: Promise<unknown>[] = [];
    for (const name of names) {
      let set = topics.get(name);
      if (!set) {
        const members = (set = new Set());
        topics.set(name, members);
        const deliver = (frame: Buffer) => {
          for (const member of members) member.write(frame);
        };
        subscriptions.set(name, subscriber.subscribe(prefix + name, deliver, true));
      }
      subscribed.push(subscriptions.get(name)!);
      set.add(res);
    }
    let counted = false;
    void Promise.all(subscribed).then(() => {
      if (res.destroyed) return;
      counted = true;
      live++;
    });
    res.on('close', () => {
      if (counted) live--;
      for (const name of names) topics.get(name)?.delete(res);
    });
  });
  return {
    listen: (backlog) => listenServer(server, backlog),
    publish(topic, event) {
      const frame = `data: ${JSON.stringify(event.data)}\n\n`;
      publisher.publish(prefix + topic, frame).catch(() => failedPublishes++);
    },
    subscribers: () => live,
    async close() {
      await closeServer(server);
      await Promise.all([publisher.close(), subscriber.close()]).catch(() => undefined);
      if (failedPublishes) console.error(`topics-pubsub: ${failedPublishes} publishes failed`);
    },
  };
}
