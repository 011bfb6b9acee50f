import { createApp } from './app';

const port = Number(process.env.PORT ?? 3000);
const app = createApp();

const address = await app.listen({ port });
console.log(`@sse/fastify example listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close());
}
