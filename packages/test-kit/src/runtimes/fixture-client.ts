import type { FixtureStats } from './fixture-app';

let counter = 0;

/** The fixture app of one runtime process, as the tests drive it over HTTP. */
export class FixtureClient {
  constructor(
    /** `http://127.0.0.1:PORT` */
    readonly origin: string,
    /** The SSE endpoint under test: `/core/events` or `/hono/events`. */
    readonly route: string,
  ) {}

  /** A name no other test of this process uses (channels and tags live as long as it). */
  unique(prefix: string): string {
    return `${prefix}${++counter}`;
  }

  /** The SSE endpoint's URL with `query` (`channel`, `heartbeat`, `retry`, `tag`, `script`...). */
  events(query: Record<string, string | number | boolean> = {}): string {
    const url = new URL(this.route, this.origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    return url.toString();
  }

  /** Publishes `data` (as text) to a hub topic; resolves with its id. */
  async publishToTopic(topic: string, data: string): Promise<string> {
    const url = new URL('/publish', this.origin);
    url.searchParams.set('topic', topic);
    const response = await fetch(url, { method: 'POST', body: data });
    if (!response.ok)
      throw new Error(`publish failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as string[])[0]!;
  }

  /** Publishes `data` (as text) to a channel; resolves with the ids. */
  async publish(
    channel: string,
    data = '',
    query: Record<string, string | number> = {},
  ): Promise<string[]> {
    const url = new URL('/publish', this.origin);
    url.searchParams.set('channel', channel);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    const response = await fetch(url, { method: 'POST', body: data });
    if (!response.ok)
      throw new Error(`publish failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as string[];
  }

  /** Publishes `event 1`..`event n` one by one; resolves with `{ id, data }` of each. */
  async publishNumbers(
    channel: string,
    from: number,
    to: number,
    history?: number,
  ): Promise<{ id: string; data: string }[]> {
    const published: { id: string; data: string }[] = [];
    for (let n = from; n <= to; n++) {
      const data = `event ${n}`;
      const query: Record<string, number> = history ? { history } : {};
      published.push({ id: (await this.publish(channel, data, query))[0]!, data });
    }
    return published;
  }

  /** Runs `name` on the runtime's hub: publishes each token, then ends it; resolves with the ids. */
  async run(name: string, tokens: readonly string[]): Promise<string[]> {
    const url = new URL('/run', this.origin);
    url.searchParams.set('name', name);
    url.searchParams.set('tokens', tokens.join(','));
    const response = await fetch(url, { method: 'POST' });
    if (!response.ok) throw new Error(`run failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as string[];
  }

  /** Channel sizes and the tagged stream's state, as the runtime's process sees them. */
  async stats(
    channels: readonly string[],
    tag?: string,
    topics?: readonly string[],
  ): Promise<FixtureStats> {
    const url = new URL('/stats', this.origin);
    url.searchParams.set('channel', channels.join(','));
    if (tag) url.searchParams.set('tag', tag);
    if (topics) url.searchParams.set('topic', topics.join(','));
    return (await (await fetch(url)).json()) as FixtureStats;
  }

  /** `channel.close({ retry })` in the runtime. */
  async close(channel: string, retry: number): Promise<void> {
    await this.post('/close', { channel, retry: String(retry) });
  }

  /** `stream.close()` on the tagged stream in the runtime. */
  async end(tag: string): Promise<void> {
    await this.post('/end', { tag });
  }

  private async post(path: string, query: Record<string, string>): Promise<void> {
    const url = new URL(path, this.origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const response = await fetch(url, { method: 'POST' });
    if (!response.ok) throw new Error(`${path} failed: ${response.status}`);
  }
}
