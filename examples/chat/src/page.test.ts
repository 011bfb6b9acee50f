import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createHub } from '@sse/core';
import {
  BROWSER_TIMEOUT_MS,
  describeInChromium,
  listen,
  openPage,
  type Listening,
} from '@sse/test-kit';
import { createApp, type ChatEvents, type ChatHub } from './app';

let hub: ChatHub | undefined;
let server: Listening | undefined;

afterEach(async () => {
  await server?.close();
  hub?.close();
  server = hub = undefined;
});

type Page = Awaited<ReturnType<typeof openPage>>;

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: BROWSER_TIMEOUT_MS });

/** Signs in as `user` from the page's buttons and waits for the stream to be open. */
async function signIn(page: Page, user: string): Promise<void> {
  await page.click(`#login button[data-user="${user}"]`);
  await poll(() => page.textContent('#status')).toBe('connected');
  expect(await page.textContent('#me')).toBe(user);
}

describeInChromium('the rooms chat page in Chromium', (browser) => {
  it("shows one user's message in the other's room and a mention in their notifications", async () => {
    hub = createHub<ChatEvents>();
    server = await listen(createServer(createApp(hub)));
    // A page each (a context each): two users, two cookies.
    const [ada, grace] = await Promise.all([
      openPage(browser(), server.url),
      openPage(browser(), server.url),
    ]);
    await Promise.all([signIn(ada, 'ada'), signIn(grace, 'grace')]);
    // Both streams follow general, compilers and their user's topic.
    await poll(() => Promise.resolve(hub!.stats().subscribers)).toBe(6);
    expect(await ada.locator('#rooms button').allTextContents()).toEqual([
      '#general',
      '#compilers',
    ]);

    await grace.fill('#post input[name="text"]', 'lunch, @ada?');
    await grace.click('#post button');

    await poll(() => ada.locator('#messages li').allTextContents()).toEqual(['gracelunch, @ada?']);
    await poll(() => ada.locator('#notifications li').allTextContents()).toEqual([
      'grace mentioned you in #general: lunch, @ada?',
    ]);
    await poll(() => grace.locator('#messages li').allTextContents()).toEqual([
      'gracelunch, @ada?',
    ]);
    expect(await grace.inputValue('#post input[name="text"]')).toBe('');
    expect(await grace.locator('#notifications li').count()).toBe(0);

    // A message to another room counts as unread until that room is opened.
    await grace.click('#rooms button[data-room="compilers"]');
    await grace.fill('#post input[name="text"]', 'new parser merged');
    await grace.click('#post button');
    await poll(() => ada.textContent('#rooms button[data-room="compilers"] .badge')).toBe('1');
    await ada.click('#rooms button[data-room="compilers"]');
    expect(await ada.locator('#messages li').allTextContents()).toEqual(['gracenew parser merged']);
  });
});
