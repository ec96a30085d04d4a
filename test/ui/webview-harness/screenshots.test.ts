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

const BACKGROUND: Record<HarnessTheme, string> = { light: '#ffffff', dark: '#1f1f1f', 'high-contrast': '#000000' };

/** Decodes the PNG in a blank page (no CSP there) and counts its colours. */
async function imageStats(png: Buffer): Promise<{ width: number; height: number; colours: number; dominant: string; dominantShare: number }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      let dominant = 0;
      let most = 0;
      for (const [k, n] of counts) if (n > most) [dominant, most] = [k, n];
      return { width: canvas.width, height: canvas.height, colours: counts.size, dominant: `#${dominant.toString(16).padStart(6, '0')}`, dominantShare: most / (data.length / 4) };
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

let browser: Browser;

describe('instance webview screenshots', function () {
  let harness: Harness;
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
        const png = await page.screenshot({ path });
        // What the picture holds, not just that a file exists: its size, that it is not blank, and
        // that its dominant colour is the theme's editor background (a broken theme shows here).
        const stats = await imageStats(png);
        assert.deepEqual([stats.width, stats.height], [1280, 800]);
        assert.ok(stats.colours >= 16, `only ${stats.colours} distinct colours: a blank or unstyled view`);
        assert.equal(stats.dominant, BACKGROUND[shot.theme], `dominant colour ${stats.dominant} (${(stats.dominantShare * 100).toFixed(0)}%)`);
        assert.ok(stats.dominantShare < 0.97, 'more than the background is painted');
      } finally {
        await page.close();
      }
    });
  }
});
