// The instance preview in real Chromium: a click in the tree previews the instance in one reusable
// tab ("Preview: <id>": webview titles cannot be italic), the view opens where the problem is,
// and a double-click keeps the instance open in a tab of its own.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { startRealHost, type RealHost } from '../runner/realHost';
import { escapeRegExp, Workbench } from './pages/workbench';
import { keepEvidence } from './support';

describe('Instance preview in the real workbench', function () {
  this.timeout(120_000);
  let rh: RealHost;
  let wb: Workbench;

  /** Editor tabs by their exact title. */
  const tab = (title: string): Locator => rh.page.locator('.tabs-container .tab .label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  const previewTabs = (): Locator => rh.page.locator('.tabs-container .tab .label-name', { hasText: /^Preview: / });
  const instanceTabs = (): Locator => rh.page.locator('.tabs-container .tab .label-name', { hasText: /^(Preview: )?[\w-]+$/ });
  /** The selected timeline row of the preview (the visible webview is the active one). */
  const selectedRow = (): Locator => wb.webview().locator('.tl-row.selected');

  before(async function () {
    this.timeout(180_000);
    rh = await startRealHost({ name: 'ui-preview', log: (l) => console.log(`    [ui] ${l}`) });
    wb = new Workbench(rh.page);
    await wb.waitReady();
    await wb.view.open();
    await wb.view.item(/^Local · 127\.0\.0\.1/).first().waitFor({ timeout: 30_000 });
    for (const workflow of ['flaky-payments', 'long-sleeper', 'approval-gate']) await wb.view.expand(workflow);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !rh) return;
    await keepEvidence(rh, `preview-${this.currentTest.title}`);
  });

  after(async () => {
    await rh?.dispose();
  });

  // Groups are level-3 rows: the one that follows its workflow's row.
  const expandGroup = (workflow: string, group: string) => wb.view.expandAt([workflow, new RegExp(`^${escapeRegExp(group)}`)]);

  it('an errored instance opens in the preview with its failing step selected and in view', async () => {
    await expandGroup('flaky-payments', 'Errored');
    await wb.view.item('payment-errored').first().click();
    await tab('Preview: payment-errored').waitFor({ timeout: 30_000 });
    await selectedRow().first().waitFor({ timeout: 30_000 });
    assert.match((await selectedRow().first().textContent()) ?? '', /charge card/);
    assert.ok(await selectedRow().first().isVisible(), 'scrolled into view');
  });

  it('a click on another instance reuses the one preview tab; a running instance opens at its current step', async () => {
    await expandGroup('long-sleeper', 'Running');
    await wb.view.item('sleeper-running').first().click();
    await tab('Preview: sleeper-running').waitFor({ timeout: 30_000 });
    await wb.webview().text('start work-1').first().waitFor({ timeout: 30_000 });
    await assertSelected(/nap/);
    assert.equal(await tab('Preview: payment-errored').count(), 0, 'the preview tab was reused, not a second one opened');
    assert.equal(await instanceTabs().count(), 1);
  });

  it('a waiting instance opens at its wait', async () => {
    await expandGroup('approval-gate', 'Running');
    await wb.view.item('approval-waiting').first().click();
    await tab('Preview: approval-waiting').waitFor({ timeout: 30_000 });
    await wb.webview().locator('.tl-row.selected.kind-waitForEvent').first().waitFor({ timeout: 30_000 });
  });

  it('a double-click keeps the instance open in its own tab; the next click opens a new preview beside it', async () => {
    await wb.view.item('payment-errored').first().dblclick();
    await tab('payment-errored').first().waitFor({ timeout: 30_000 });
    assert.equal(await previewTabs().count(), 0, 'the preview became a kept tab');
    await wb.view.item('sleeper-running').first().click();
    await tab('Preview: sleeper-running').waitFor({ timeout: 30_000 });
    assert.equal(await instanceTabs().count(), 2, 'the kept tab and the new preview');
  });

  async function assertSelected(re: RegExp): Promise<void> {
    const end = Date.now() + 30_000;
    let last = '';
    while (Date.now() < end) {
      last = (await selectedRow().first().textContent().catch(() => '')) ?? '';
      if (re.test(last)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail(`selected row ${JSON.stringify(last)} does not match ${re}`);
  }
});
