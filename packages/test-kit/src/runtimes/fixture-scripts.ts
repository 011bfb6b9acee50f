import type { SseStream } from '@sse/core';

/** Payloads whose text must survive the wire exactly (line breaks normalised to LF by clients). */
export const RUNTIME_TEXT_CASES: readonly { sent: string; received: string }[] = [
  { sent: 'one\ntwo\r\nthree\rfour', received: 'one\ntwo\nthree\nfour' },
  { sent: 'last line\n', received: 'last line\n' },
  { sent: '  indented', received: '  indented' },
  { sent: '', received: '' },
  { sent: 'héllo wörld — 世界 🌍 \u2028', received: 'héllo wörld — 世界 🌍 \u2028' },
  { sent: 'data: x\nid: 7\nevent: y\n: z', received: 'data: x\nid: 7\nevent: y\n: z' },
];

/** An object sent as JSON by the `object` script. */
export const RUNTIME_OBJECT = { text: 'line 1\nline 2', list: [1, 2.5, null], emoji: '🎉' };

/** How long the `busy` script keeps sending, and how often. */
export const BUSY_FOR_MS = 800;
export const BUSY_EVERY_MS = 20;

/** What a fixture stream does once open (`?script=`). */
export type FixtureScript = 'framing' | 'object' | 'bye' | 'busy';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one of the fixture's scripts on an opened stream. */
export async function runScript(script: FixtureScript, stream: SseStream): Promise<void> {
  switch (script) {
    case 'framing':
      for (const { sent } of RUNTIME_TEXT_CASES) await stream.send(sent);
      await stream.send('a\r\nb', { event: 'pair', id: '9' });
      await stream.send('€'.repeat(20_000));
      return;
    case 'object':
      await stream.send(RUNTIME_OBJECT, { event: 'update', id: 'a-1' });
      return;
    case 'bye':
      await stream.send('bye');
      stream.close();
      return;
    case 'busy':
      // Never idle for long: no heartbeat may be sent meanwhile.
      for (let n = 0; n * BUSY_EVERY_MS < BUSY_FOR_MS && !stream.closed; n++) {
        await stream.send(`busy ${n}`);
        await pause(BUSY_EVERY_MS);
      }
      await stream.send('idle now');
      return;
  }
}
