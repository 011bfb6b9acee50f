import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenServer } from '../targets/listen';
import { frameOf, HEADERS } from '../targets/raw';
import { topicNamesOf } from './protocol';
import type { TopicsTarget } from './targets';

/** The in-process limit: node:http and a `Map<topic, Set<response>>`, frames written as is. */
export function createMapTarget(): TopicsTarget {
  const topics = new Map<string, Set<ServerResponse>>();
  let streams = 0;
  const server = createServer((req, res) => {
    const names = topicNamesOf(req.url);
    res.writeHead(200, HEADERS);
    res.write(':\n\n');
    for (const name of names) {
      let set = topics.get(name);
      if (!set) topics.set(name, (set = new Set()));
      set.add(res);
    }
    streams++;
    res.on('close', () => {
      streams--;
      for (const name of names) {
        const set = topics.get(name);
        set?.delete(res);
        if (set?.size === 0) topics.delete(name);
      }
    });
  });
  return {
    listen: (backlog) => listenServer(server, backlog),
    publish(topic, event) {
      const set = topics.get(topic);
      if (!set) return;
      const frame = Buffer.from(frameOf(event));
      for (const res of set) res.write(frame);
    },
    subscribers: () => streams,
    close: () => closeServer(server),
  };
}
