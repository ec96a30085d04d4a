// Headless Chromium through playwright-core (CHROMIUM_PATH, else the one shipped in node_modules by
// @sparticuz/chromium): no browser download, no network.
import type { Browser, Page } from 'playwright-core';
import { launchChromium as launch } from '../../../scripts/lib/chromium.mjs';
import type { HostToWebview } from '../../../src/webview/protocol';

export function launchChromium(): Promise<Browser> {
  return launch();
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
