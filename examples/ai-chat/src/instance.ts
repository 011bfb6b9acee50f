import type { Express } from 'express';
import { createHub } from '@sse/core';
import { redisBroker } from '@sse/redis';
import { createApp, type AiChatAppOptions, type AiChatEvents, type AiChatHub } from './app';

/** Options of `createInstance`. */
export interface AiChatInstanceOptions extends Omit<AiChatAppOptions, 'hub'> {
  /** The Redis every instance shares. */
  redisUrl: string;
  /**
   * The prefix of the keys and channels in Redis: instances with the same one share answers.
   * @default 'sse:ai-chat:'
   */
  prefix?: string;
}

/** One server instance of the chat: its app, its hub on Redis, and how to close them. */
export interface AiChatInstance {
  app: Express;
  hub: AiChatHub;
  /** Closes the open streams and the Redis connections. */
  close(): Promise<void>;
}

/** An instance of the chat on `redisBroker`: any number of them share answers through Redis. */
export function createInstance(options: AiChatInstanceOptions): AiChatInstance {
  const { redisUrl, prefix = 'sse:ai-chat:', ...appOptions } = options;
  const broker = redisBroker({
    url: redisUrl,
    prefix,
    // Redis going away is retried by the broker; say so, and carry on.
    onError: (error) => console.error('redis:', error),
  });
  const hub = createHub<AiChatEvents>({ broker });
  return {
    app: createApp({ hub, ...appOptions }),
    hub,
    async close() {
      hub.close();
      await broker.close();
    },
  };
}
