import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listen, recordEventSource } from '@sse/test-kit';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
const generatedDir = fileURLToPath(new URL('./__readme__/', import.meta.url));

/** The first ```ts block of the root README, made importable: it exports `app` instead of listening. */
async function quickStartModule(): Promise<{ app: RequestListener }> {
  const text = await readFile(readme, 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error('README.md has no ```ts block');
  expect(block).toContain('app.listen(3000);');
  await mkdir(generatedDir, { recursive: true });
  const file = `${generatedDir}quick-start.ts`;
  await writeFile(file, block.replace('app.listen(3000);', 'export { app };'));
  return (await import(/* @vite-ignore */ file)) as { app: RequestListener };
}

afterAll(() => rm(generatedDir, { recursive: true, force: true }));

describe('the root README quick start', () => {
  it('runs as written: a POST /news reaches an EventSource on /events as a headline', async () => {
    const { app } = await quickStartModule();
    const server = await listen(createServer(app));
    const client = recordEventSource(`${server.url}/events`, ['headline']);
    try {
      await client.opened;
      const response = await fetch(`${server.url}/news`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'SSE everywhere' }),
      });
      const { id } = (await response.json()) as { id: string };
      const [event] = await client.waitFor(1);
      expect(event).toEqual({
        type: 'headline',
        data: '{"title":"SSE everywhere"}',
        lastEventId: id,
      });
    } finally {
      client.close();
      await server.close();
    }
  });
});
