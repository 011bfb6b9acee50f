import { SseError } from '../errors';

const MAX_NAME_LENGTH = 256;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws `SseError` `ERR_SSE_TOPIC` (status 400) for a name a client must not ask for. */
export function assertTopicName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw topicError(`a topic name must be a string, got ${typeof name}`);
  }
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw topicError(
      `a topic name must be 1 to ${MAX_NAME_LENGTH} characters long, got ${name.length}`,
    );
  }
  if (CONTROL.test(name)) throw topicError('a topic name must not contain control characters');
}

/**
 * The topics a stream asks for, checked: a string, a list, or `undefined` (as read from a
 * query string), each name valid, at most `max` of them (duplicates counted once).
 */
export function toTopicNames(names: unknown, max: number): string[] {
  if (names === undefined || names === null) throw topicError('no topic given');
  const list: readonly unknown[] = Array.isArray(names) ? names : [names];
  if (list.length === 0) throw topicError('no topic given');
  const unique = new Set<string>();
  for (const name of list) {
    assertTopicName(name);
    unique.add(name);
    if (unique.size > max) throw topicError(`at most ${max} topics per stream`);
  }
  return [...unique];
}

function topicError(message: string): SseError {
  return new SseError('ERR_SSE_TOPIC', `Bad topic request: ${message}`, { status: 400 });
}
