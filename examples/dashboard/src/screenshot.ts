/**
 * Takes the README's screenshot of the dashboard: starts it on a free port, sends a few bursts
 * over 20 seconds so the chart has a shape, and saves the page from headless Chromium.
 * `npx -y pnpm@10.34.8 --filter @sse/example-dashboard exec tsx src/screenshot.ts ../../docs/dashboard.png`
 */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { findChromium, type describeInChromium } from '@sse/test-kit';
import { createDashboard } from './app';

// playwright-core is test-kit's dependency (the dashboard has no browser dependency of its own):
// loaded from there, typed through what test-kit hands its browser tests.
type Browser = ReturnType<Parameters<Parameters<typeof describeInChromium>[1]>[0]>;
const testKit = createRequire(import.meta.url).resolve('@sse/test-kit');
const { chromium } = createRequire(testKit)('playwright-core') as {
  chromium: { launch(options: { executablePath: string; args: string[] }): Promise<Browser> };
};

const out = process.argv[2] ?? 'dashboard.png';
const executablePath = findChromium();
if (!executablePath) throw new Error('no Chromium: install Debian `chromium` or set SSE_CHROMIUM');

const dashboard = createDashboard();
const server = createServer(dashboard.app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
await page.goto(url);
for (const events of [400, 1500, 3000, 800, 5000, 2500, 1200, 300]) {
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await page.fill('#load input[name="events"]', String(events));
  await page.click('#load button');
}
await new Promise((resolve) => setTimeout(resolve, 1500));
await page.screenshot({ path: out, fullPage: true });
console.log(`saved ${out}`);

await browser.close();
await dashboard.close();
server.close();
server.closeAllConnections();
