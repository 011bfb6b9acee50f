import { createAdaptorServer } from '@hono/node-server';
import { describeExampleApp, listen } from '@sse/test-kit';
import { createApp } from './app';

describeExampleApp('hono', () => listen(createAdaptorServer({ fetch: createApp().fetch })));
