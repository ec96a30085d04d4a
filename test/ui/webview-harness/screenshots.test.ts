// Screenshots of the instance view in the light, dark and high-contrast themes. They go to
// docs/screenshots/ when missing or with UPDATE_SCREENSHOTS=1, otherwise to test-results/ so a
// normal test run never rewrites tracked files.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterPaint, launchChromium, postToView } from './browser';
import { instanceMessage, orderPipeline, runningInstance, TARGET } from './scenarios';
import { startHarness, type Harness } from './server';
import type { HarnessTheme } from './themes';

const root = resolve(__dirname, '..', '..', '..');
const docsDir = join(root, 'docs', 'screenshots');
const scratchDir = join(root, 'test-results', 'screenshots');

function outPath(file: string): string {
  const docPath = join(docsDir, file);
  const dir = process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(docPath) ? docsDir : scratchDir;
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}

describe('instance webview screenshots', function () {
  let harness: Harness;
  let browser: Browser;
  before(async () => {
    harness = await startHarness();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  const shots: { file: string; theme: HarnessTheme; running?: boolean }[] = [
    { file: 'webview-dark.png', theme: 'dark' },
    { file: 'webview-light.png', theme: 'light' },
    { file: 'webview-high-contrast.png', theme: 'high-contrast' },
    { file: 'webview-running-dark.png', theme: 'dark', running: true },
  ];

  for (const shot of shots) {
    it(shot.file, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
      try {
        await page.goto(harness.pageUrl({ theme: shot.theme }));
        const details = shot.running ? runningInstance() : orderPipeline();
        await postToView(page, { type: 'init', target: TARGET }, instanceMessage(details), { type: 'selectStep', name: shot.running ? 'notify slack-1' : 'reserve stock-1' });
        await page.waitForSelector('.tl-row.selected');
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        await afterPaint(page);
        const path = outPath(shot.file);
        await page.screenshot({ path });
        assert.ok(existsSync(path));
      } finally {
        await page.close();
      }
    });
  }
});
