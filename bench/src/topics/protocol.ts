/**
 * The topics workload's layout and messages. Client `i` follows its user topic `u<i>` and the
 * room `r<i % rooms>`; with two servers, clients `0..users/2-1` connect to server 0 and the rest
 * to server 1, and each topic has one publisher: server `index % servers`, so about half of all
 * deliveries cross from one instance to the other.
 */

export interface TopicsLayout {
  users: number;
  rooms: number;
  servers: number;
}

/** Orchestrator -> topics server. */
export type TopicsServerCommand = {
  cmd: 'topics-run';
  layout: TopicsLayout;
  /** This server's index (which topics it publishes). */
  server: number;
  maxMs: number;
  /** Deliveries the publisher may run ahead of what the client acknowledged. */
  window: number;
};

/** Orchestrator -> client. */
export type TopicsClientCommand =
  | { cmd: 'topics-connect'; ports: number[]; layout: TopicsLayout }
  | { cmd: 'topics-expect'; warmup: boolean }
  | { cmd: 'topics-report'; userSeqs: number[]; roomSeqs: number[] };

/** What one server published in one run. */
export interface TopicsRunResult {
  published: number;
  /** Deliveries its publishes make (a user topic has 1 subscriber, a room its members). */
  deliveries: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  startedAt: number;
  timedOut: boolean;
  /** Each topic's last published number, for topics this server publishes (else 0). */
  userSeqs: number[];
  roomSeqs: number[];
}

/** What the client saw of one run. */
export interface TopicsDeliveryReport {
  delivered: number;
  missing: number;
  outOfOrder: number;
  dropped: number;
  lastAt: number;
  /** Publish-to-read latency (µs) of cross-instance deliveries (all, with one server). */
  latency: { p50: number; p99: number; max: number; samples: number };
}

export const userTopic = (user: number) => `u${user}`;
export const roomTopic = (room: number) => `r${room}`;
export const roomOf = (layout: TopicsLayout, user: number) => user % layout.rooms;
export const serverOfClient = (layout: TopicsLayout, user: number) =>
  Math.floor((user * layout.servers) / layout.users);
export const publisherOf = (layout: TopicsLayout, index: number) => index % layout.servers;

/** Clients in room `room`. */
export function membersOf(layout: TopicsLayout, room: number): number {
  return room < layout.users ? Math.floor((layout.users - 1 - room) / layout.rooms) + 1 : 0;
}

/** The payload's `seq`: the topic's own event number, doubled, plus 1 for a room. */
export const encodeSeq = (n: number, room: boolean) => n * 2 + (room ? 1 : 0);

export function isTopicsCommand(command: { cmd: string }): command is TopicsClientCommand {
  return command.cmd.startsWith('topics-');
}

/** The `user` and `room` topics of `/topics?user=u1&room=r1`. */
export function topicNamesOf(url: string | undefined): string[] {
  const query = new URLSearchParams((url ?? '').split('?')[1] ?? '');
  return [query.get('user'), query.get('room')].filter((name): name is string => !!name);
}
