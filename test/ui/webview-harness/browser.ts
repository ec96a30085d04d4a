// Headless Debian Chromium through playwright-core: no browser download, no network.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToWebview } from '../../../src/webview/protocol';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Posts host messages into the page as VS Code would (window message events). The messages travel
 * as one JSON string: Playwright's own argument serialisation takes seconds for 10,000 steps.
 */
export async function postToView(page: Page, ...messages: HostToWebview[]): Promise<void> {
  await page.evaluate(`for (const m of JSON.parse(${JSON.stringify(JSON.stringify(messages))})) window.__harness.post(m);`);
}

/** Waits until the browser has painted twice after the last change. */
export function afterPaint(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** Messages the UI sent to the "host". */
export function sentMessages(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __harness: { sent: unknown[] } }).__harness.sent);
}
