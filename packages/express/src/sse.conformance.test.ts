import { createServer } from 'node:http';
import express from 'express';
import express4 from 'express4';
import { describeConformance, listen, type SseTarget } from '@sse/test-kit';
import { sse } from './index';

function expressTarget(name: string, createApp: typeof express): SseTarget {
  return {
    name,
    async start({ options, handler }) {
      const app = createApp();
      app.get('/events', sse(options, handler && ((stream) => handler(stream))));
      const { url, close } = await listen(createServer(app));
      return { url: `${url}/events`, close };
    },
  };
}

describeConformance(expressTarget('@sse/express on express 5', express));
describeConformance(expressTarget('@sse/express on express 4', express4));
