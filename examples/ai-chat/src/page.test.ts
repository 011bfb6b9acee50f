import { afterEach, expect, it } from 'vitest';
import { BROWSER_TIMEOUT_MS, describeInChromium, openPage, skipWithoutRedis } from '@sse/test-kit';
import { answerTopic } from './app';
import { answerText } from './fake-model';
import {
  freshPrefix,
  startInstance,
  startInstanceProcess,
  type RunningInstance,
} from './testing/instances';
import { startLoadBalancer, type LoadBalancer } from './testing/load-balancer';

skipWithoutRedis();

type Page = Awaited<ReturnType<typeof openPage>>;

const closing: (RunningInstance | LoadBalancer)[] = [];
afterEach(async () => {
  for (const running of closing.splice(0)) await running.close();
});

/** In-process instances sharing one Redis under a prefix of this test's own. */
async function instances(count: number, tokenDelayMs = 40) {
  const prefix = freshPrefix();
  const started = await Promise.all(
    Array.from({ length: count }, () => startInstance({ prefix, tokenDelayMs })),
  );
  closing.push(...started);
  return { prefix, started };
}

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: BROWSER_TIMEOUT_MS });

/** Asks `prompt` from the page's form; resolves with the answer's id once it streams. */
async function ask(page: Page, prompt: string): Promise<string> {
  await page.fill('#ask input[name="prompt"]', prompt);
  await page.click('#ask-button');
  await poll(() => page.textContent('#status')).toBe('answering');
  return new URL(page.url()).hash.slice(1);
}

/** Waits until the page shows at least `chars` characters of the answer. */
async function answerReaches(page: Page, chars: number): Promise<string> {
  await poll(async () => (await page.textContent('#answer'))!.length).toBeGreaterThanOrEqual(chars);
  return (await page.textContent('#answer'))!;
}

/** Waits for the end of the answer and expects the page to show all of it, exactly once. */
async function expectWholeAnswer(page: Page, prompt: string): Promise<void> {
  await poll(() => page.textContent('#status')).toBe('done');
  expect(await page.textContent('#prompt')).toBe(prompt);
  expect(await page.textContent('#answer')).toBe(answerText(prompt));
}

describeInChromium('the AI chat page in Chromium', (browser) => {
  it('resumes after a reload mid-answer with no gap and no duplicate', async () => {
    const { started } = await instances(2);
    const [a] = started;
    const page = await openPage(browser(), a!.url);
    expect(await page.textContent('#status')).toBe('idle');
    const prompt = 'What survives a reload?';
    const id = await ask(page, prompt);
    const before = await answerReaches(page, 80);
    expect(before.length).toBeLessThan(answerText(prompt).length);
    expect(await a!.instance.hub.runStatus(answerTopic(id))).toBe('running');

    await page.reload();
    expect(new URL(page.url()).hash).toBe(`#${id}`);
    await expectWholeAnswer(page, prompt);
    expect(await page.isDisabled('#stop')).toBe(true);
  });

  it('says so when the answer in its link is no longer there', async () => {
    const { started } = await instances(1);
    const page = await openPage(browser(), `${started[0]!.url}/#gone-or-never-was`);
    await poll(() => page.textContent('#status')).toBe('expired');
    expect(await page.textContent('#error')).toBe('This answer is no longer available: ask again.');
    expect(await page.isEnabled('#ask-button')).toBe(true);
  });

  it('a second tab, on the other instance, follows the same answer', async () => {
    const { started } = await instances(2);
    const [a, b] = started;
    const first = await openPage(browser(), a!.url);
    const prompt = 'Can a second tab follow?';
    const id = await ask(first, prompt);
    await answerReaches(first, 40);
    expect(await b!.instance.hub.runStatus(answerTopic(id))).toBe('running');

    const second = await openPage(browser(), `${b!.url}/#${id}`);
    await poll(() => second.textContent('#prompt')).toBe(prompt);
    await Promise.all([expectWholeAnswer(first, prompt), expectWholeAnswer(second, prompt)]);
  });

  it('the stop button stops the answer through the other instance', async () => {
    const { started } = await instances(2);
    const [a, b] = started;
    // One origin for the page; its stop request goes to B, everything else to A.
    const balancer = await startLoadBalancer((_method, path) =>
      path.endsWith('/stop') ? [b!.url] : [a!.url],
    );
    closing.push(balancer);
    const page = await openPage(browser(), balancer.url);
    const prompt = 'Please stop me';
    const id = await ask(page, prompt);
    await answerReaches(page, 60);
    await page.click('#stop');

    await poll(() => page.textContent('#status')).toBe('stopped');
    const shown = (await page.textContent('#answer'))!;
    expect(shown.length).toBeLessThan(answerText(prompt).length);
    expect(answerText(prompt).startsWith(shown)).toBe(true);
    expect(await page.isDisabled('#stop')).toBe(true);
    expect(await page.isEnabled('#ask-button')).toBe(true);
    expect(await a!.instance.hub.runStatus(answerTopic(id))).toBe('ended');
    const byWhom = balancer.served
      .filter(({ method }) => method === 'POST')
      .map(({ path, backend }) => `${path} ${backend === a!.url ? 'A' : 'B'}`);
    expect(byWhom[0]).toBe('/chat A');
    // Sent once: the cancel is recorded with the run, never lost on its way to A.
    expect(byWhom.slice(1)).toEqual([`/chat/${id}/stop B`]);
  });

  it('carries on from the other instance when the one serving its stream is killed', async () => {
    const { prefix, started } = await instances(1);
    const [b] = started;
    const a = await startInstanceProcess({ prefix });
    closing.push(a);
    // Two instances behind one balancer: B produces the answer, A serves the page and its
    // stream while it is up.
    const balancer = await startLoadBalancer((method, path) =>
      method === 'POST' && path === '/chat' ? [b!.url] : [a.url, b!.url],
    );
    closing.push(balancer);
    const page = await openPage(browser(), balancer.url);
    const prompt = 'What if a server dies?';
    const id = await ask(page, prompt);
    const before = await answerReaches(page, 80);
    expect(before.length).toBeLessThan(answerText(prompt).length);

    a.kill();
    const killedAt = Date.now();
    const readsOn = (backend: string) =>
      balancer.served.filter(
        ({ path, backend: by }) => path === `/chat/${id}/events` && by === backend,
      );
    await poll(() => Promise.resolve(readsOn(b!.url).length)).toBe(1);
    console.info(
      `instance SIGKILLed: the page's stream reopened on the other ${Date.now() - killedAt} ms later`,
    );
    await expectWholeAnswer(page, prompt);
    expect([readsOn(a.url).length, readsOn(b!.url).length]).toEqual([1, 1]);
  });
});
