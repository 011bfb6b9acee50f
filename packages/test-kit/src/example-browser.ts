import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExampleAppServer } from './example-smoke';

/** Where Debian's `chromium` package puts the browser; `SSE_CHROMIUM` points elsewhere. */
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium to drive, or undefined when this machine has none. */
export function findChromium(): string | undefined {
  const configured = process.env.SSE_CHROMIUM;
  if (configured) return configured;
  return CHROMIUM_PATHS.find((path) => existsSync(path));
}

// Headless as root in a sandbox with a closed network: no sandbox, no GPU, no background calls
// home (they fail here, many at a time).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long a browser test waits for the page to show something: generous, for a loaded machine. */
export const BROWSER_TIMEOUT_MS = 10_000;

/**
 * A describe block run in headless Chromium: `body` gets the browser (launched once for the
 * block; pages and contexts are closed after each test). Without a Chromium on the machine the
 * block is skipped, except under CI, where that is a failure (`.ci/run` installs Debian's
 * `chromium`).
 */
export function describeInChromium(name: string, body: (browser: () => Browser) => void): void {
  const executablePath = findChromium();
  const required = process.env.CI !== undefined && process.env.CI !== 'false';
  describe.skipIf(!executablePath && !required)(name, () => {
    let browser: Browser | undefined;

    beforeAll(async () => {
      if (!executablePath) {
        throw new Error('no Chromium found: install Debian `chromium` or set SSE_CHROMIUM');
      }
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    });

    afterAll(async () => {
      await browser?.close();
    });

    afterEach(async () => {
      for (const context of browser?.contexts() ?? []) await context.close();
    });

    body(() => browser!);
  });
}

/** Opens `url` in a new page of `browser`. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  return page;
}

/**
 * The demo page of an example in a real browser (headless Chromium): its two EventSources
 * connect, the clock ticks, and an event published from the form of one tab shows up in both.
 */
export function describeExamplePageInBrowser(
  framework: string,
  start: () => Promise<ExampleAppServer>,
): void {
  describeInChromium(`${framework} example page in Chromium`, (browser) => {
    let server: ExampleAppServer | undefined;

    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('connects to /events and shows the server time from /clock', async () => {
      server = await start();
      const page = await openPage(browser(), server.url);

      await expect
        .poll(() => page.textContent('#status'), { timeout: BROWSER_TIMEOUT_MS })
        .toBe('connected');
      // "…" until the first tick arrives, then a time of day.
      await expect
        .poll(() => page.textContent('#clock'), { timeout: BROWSER_TIMEOUT_MS })
        .toMatch(/\d{1,2}:\d{2}:\d{2}/);
      expect(await page.textContent('#framework')).toBe(framework);
    });

    it('shows an event published from one tab in every open tab, with its id', async () => {
      server = await start();
      const publisher = await openPage(browser(), server.url);
      const watcher = await openPage(browser(), server.url);
      for (const page of [publisher, watcher]) {
        await expect
          .poll(() => page.textContent('#status'), { timeout: BROWSER_TIMEOUT_MS })
          .toBe('connected');
      }

      await publisher.fill('#publish input[name="text"]', 'hello from a browser');
      await publisher.click('#publish button');

      for (const page of [publisher, watcher]) {
        await expect
          .poll(() => page.locator('#events li').allTextContents(), { timeout: BROWSER_TIMEOUT_MS })
          .toEqual([expect.stringMatching(/^#\d+-\d+ \{"text":"hello from a browser"\}$/)]);
      }
      // The form is cleared once the server accepted the event.
      expect(await publisher.inputValue('#publish input[name="text"]')).toBe('');
    });
  });
}
