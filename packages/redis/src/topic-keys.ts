import { createHash } from 'node:crypto';
import type { TopicKeys } from './topic-feed';

/**
 * A topic's keys and channel: `<prefix>{<topic>}` for the stream and the live channel,
 * `<prefix>{<topic>}:trimmed` for the trimmed mark. The topic is the hash tag, so on a Cluster
 * everything of one topic lives in one slot, and topics spread over the shards. A topic with
 * braces (or starting with `#`) would break the tag: it is tagged by its SHA-1 instead.
 */
export function topicKeys(prefix: string, topic: string): TopicKeys {
  const tag =
    /[{}]/.test(topic) || topic.startsWith('#')
      ? `#${createHash('sha1').update(topic).digest('hex')}`
      : topic;
  const stream = `${prefix}{${tag}}`;
  return { stream, trimmed: `${stream}:trimmed`, channel: stream };
}

/**
 * A run's keys beside its topic's, in the same slot: its state hash (`<stream>:run`), its
 * producer's lease (`<stream>:lease`) and its cancel channel (`<stream>:cancel`).
 */
export function runKeys(prefix: string, topic: string) {
  const keys = topicKeys(prefix, topic);
  const { stream } = keys;
  return { ...keys, run: `${stream}:run`, lease: `${stream}:lease`, cancel: `${stream}:cancel` };
}
