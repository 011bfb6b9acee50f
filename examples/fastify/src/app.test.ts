import { describeExampleApp } from '@sse/test-kit';
import { createApp } from './app';

describeExampleApp('fastify', async () => {
  const app = createApp();
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
});
