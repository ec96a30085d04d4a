// Hostile engine text on every surface of the real workbench (code-server in real Chromium, real
// engine seeded with the fixture's hostile-text Workflow). Nothing from the data may become a link,
// an icon or a title; bidi and invisible characters must read as the ‹U+XXXX› marker.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { startRealHost, type RealHost } from '../runner/realHost';
import { Workbench } from './pages/workbench';
import { keepEvidence, until } from './support';
const WF = 'hostile-text';
const RLO = '‹U+202E›';
/** Anchors whose target could only have come from the data. */
const DATA_LINKS = 'a[href^="command:"], a[data-href^="command:"], a[href^="http"], a[data-href^="http"]';

async function engineStatus(rh: RealHost, id: string): Promise<string> {
  const r = await fetch(`${rh.engine.apiBase}/workflows/${WF}/instances/${id}`);
  return ((await r.json()) as { result: { status: string } | null }).result?.status ?? 'missing';
}

/** Links inside `scope`, apart from the extension's own Open Instance links in its hover table. */
async function dataLinks(scope: Locator): Promise<string[]> {
  const hrefs = await scope.locator(DATA_LINKS).evaluateAll((els) => els.map((e) => e.getAttribute('data-href') ?? e.getAttribute('href') ?? ''));
  return hrefs.filter((h) => !h.startsWith('command:cloudflareWorkflows.openInstance?'));
}

/** No link from the data in `scope`, and the window title carries nothing from it unmarked. */
async function noDataLinks(page: Page, scope: Locator, where: string): Promise<void> {
  assert.deepEqual(await dataLinks(scope), [], `no link from the data in ${where}`);
  await titleClean(page);
}

async function titleClean(page: Page): Promise<void> {
  const title = await page.title();
  assert.ok(!/[\u202A-\u202E\u2066-\u2069\u200B-\u200F]/.test(title) && !title.includes('](') && !title.includes('$('), `window title: ${JSON.stringify(title)}`);
}

describe('Hostile text in the real workbench', function () {
  this.timeout(180_000);
  let rh: RealHost;
  let wb: Workbench;
  let pageTitle: string;

  before(async function () {
    this.timeout(240_000);
    rh = await startRealHost({ name: 'ui-hostile', log: (l) => console.log(`    [ui] ${l}`) });
    wb = new Workbench(rh.page);
    await wb.waitReady();
    pageTitle = await rh.page.title();
  });

  afterEach(async function () {
    if (!rh) return;
    if (this.currentTest?.state === 'failed') await keepEvidence(rh, `hostile-${this.currentTest.title}`);
    await rh.page.keyboard.press('Escape');
    await rh.page.keyboard.press('Escape');
    // No instance panel may stay open: when a quick input hides, VS Code hands the focus back to the
    // panel's frame a moment later, after the next step's quick input is already shown, and that one
    // then closes (the focus record of a CI run showed it: "window blur (active iframe.webview)").
    await wb.closeAllTabs();
    // Take the focus out of any webview: keys typed there never reach the palette's input.
    await rh.page.locator('.part.sidebar .composite.title').first().click();
  });

  after(async () => {
    await rh?.dispose();
  });

  it('tree: the workflow and instances show as text; the tooltip hover has no data link and marks the bidi override', async () => {
    await wb.view.open();
    await wb.view.expand(WF);
    // The workflow row re-renders once its counts arrive; a click on a group before that is lost.
    await wb.view.item(WF).filter({ hasText: /2 errored/ }).first().waitFor({ timeout: 30_000 });
    await wb.view.expand(/^Errored$/);
    const item = wb.view.item('hostile-errored').first();
    await item.waitFor({ timeout: 30_000 });
    // The 100-character id, as odd as the engine allows, is a plain label.
    await wb.view.item(`_-${'_-'.repeat(49)}`).first().waitFor();
    await item.hover();
    const hover = rh.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'hostile-errored' }).first();
    await hover.waitFor({ timeout: 20_000 });
    await hover.getByText(/Payment failed/).first().waitFor({ timeout: 20_000 });
    const text = await hover.innerText();
    assert.ok(text.includes('[Update payment settings](command:'), `the link reads as text: ${text.slice(0, 300)}`);
    assert.ok(text.includes(`invoice${RLO}gnp.exe`), `the bidi override reads as its marker: ${text.slice(0, 400)}`);
    await noDataLinks(rh.page, hover, 'the tree tooltip');
    assert.equal(await hover.locator('b').count(), 0, 'no HTML from the error');
    assert.equal(await rh.page.title(), pageTitle, 'the page title did not change');
  });

  it('panel: title is the id, timeline rows and details pane show markers, the JSON viewer too, and nothing links', async () => {
    await wb.view.item('hostile-errored').first().click();
    await rh.page.locator('.tabs-container .tab', { hasText: 'hostile-errored' }).first().waitFor({ timeout: 30_000 });
    const tabTitle = (await rh.page.locator('.tabs-container .tab', { hasText: 'hostile-errored' }).first().innerText()).trim();
    assert.match(tabTitle, /^(Preview: )?hostile-errored$/, `panel title: ${tabTitle}`);
    const view = wb.webview();
    const bidiRow = view.frame.locator('.tl-label', { hasText: `invoice${RLO}gnp.exe` }).first();
    await bidiRow.waitFor({ timeout: 30_000 });
    // The icon-named step is a plain row label, not an icon.
    await view.frame.locator('.tl-label', { hasText: '$(debug-restart) From the beginning' }).first().waitFor();
    await view.frame.locator('.tl-label', { hasText: '‹U+200B›' }).first().waitFor();
    await bidiRow.click();
    const pane = view.locator('.details-pane');
    await pane.getByText(`invoice${RLO}gnp.exe`).first().waitFor();
    await pane.locator('.inline-warning').first().waitFor();
    // The first step's output: keys and values in the JSON viewer carry markers.
    await view.frame.locator('.tl-label', { hasText: '[Open settings](command:' }).first().click();
    await pane.locator('.json-key-text', { hasText: `key${RLO}gnp.exe` }).first().waitFor();
    assert.equal(await view.locator(DATA_LINKS).count(), 0, 'no data link in the webview');
    assert.equal(await view.locator('a[href]').count(), 0, 'no anchors at all in the webview');
    const frameTitle = await view.frame.locator('title').first().textContent();
    assert.equal(frameTitle, `${WF} / hostile-errored`, 'the webview document title is workflow / id');
    await titleClean(rh.page);
  });

  it('restart-from-step picker: a step named like the first item shows its text, not an icon; the confirmation marks the bidi step', async () => {
    await wb.palette.run('Cloudflare Workflows: Restart…');
    await wb.quickInput.pick(WF);
    await wb.quickInput.pick('hostile-errored');
    await wb.quickInput.waitTitle(/Restart hostile-errored from/);
    const rows = wb.quickInput.widget.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor();
    // Only the extension's own first item has the restart icon; the step shows `$(debug-restart)` as typed.
    assert.equal(await wb.quickInput.widget.locator('.quick-input-list .codicon-debug-restart').count(), 1, 'one restart icon');
    await wb.quickInput.row('$(debug-restart) From the beginning').first().waitFor();
    await wb.quickInput.row(`invoice${RLO}gnp.exe`).first().waitFor();
    await noDataLinks(rh.page, wb.quickInput.widget, 'the restart picker');
    await wb.quickInput.pick(`invoice${RLO}gnp.exe`);
    const dialog = rh.page.locator('.monaco-dialog-box', { hasText: 'Restart instance "hostile-errored"?' });
    await dialog.waitFor();
    assert.ok((await dialog.innerText()).includes(`invoice${RLO}gnp.exe`), 'the confirmation names the step with its marker');
    await noDataLinks(rh.page, dialog, 'the restart confirmation');
    await wb.dialogButton('Cancel');
    assert.equal(await engineStatus(rh, 'hostile-errored'), 'errored', 'nothing restarted');
  });

  it('terminate and delete confirmations show the id as text and act only on a click', async () => {
    await wb.palette.run('Cloudflare Workflows: Terminate…');
    await wb.quickInput.pick(WF);
    await wb.quickInput.pick('hostile-waiting');
    const term = rh.page.locator('.monaco-dialog-box', { hasText: 'Terminate instance "hostile-waiting"?' });
    await term.waitFor();
    await noDataLinks(rh.page, term, 'the terminate confirmation');
    await wb.dialogButton('Cancel');
    await wb.palette.run('Cloudflare Workflows: Delete Instance(s)…');
    await wb.quickInput.pick(WF);
    await wb.quickInput.pick('hostile-errored');
    const del = rh.page.locator('.monaco-dialog-box', { hasText: 'Delete instance "hostile-errored"?' });
    await del.waitFor();
    await noDataLinks(rh.page, del, 'the delete confirmation');
    await wb.dialogButton('Cancel');
    assert.equal(await engineStatus(rh, 'hostile-waiting'), 'running');
    assert.equal(await engineStatus(rh, 'hostile-errored'), 'errored');
  });

  it('Send Event picker shows the waited-for event type with its marker', async () => {
    await wb.palette.run('Cloudflare Workflows: Send Event…');
    await wb.quickInput.pick(WF);
    await wb.quickInput.pick('hostile-waiting');
    await wb.quickInput.waitTitle(/event type/);
    await wb.quickInput.row(`approve-${RLO}txt.exe`).first().waitFor();
    await noDataLinks(rh.page, wb.quickInput.widget, 'the Send Event picker');
  });

  it('Send Event… from the palette with an instance panel focused: workflow, instance, type and payload steps follow without the quick input hiding between them', async () => {
    // The panel's frame holds the focus, as when a user reads an instance and then runs a command.
    await wb.view.expand(WF);
    await wb.view.expandAt([WF, /^Errored$/]);
    await wb.view.item('hostile-errored').first().click();
    await wb.webview().frame.locator('.tl-label').first().click();
    await wb.webviewFocused();
    // The record keeps its last 60 entries, so it is cut by time (same clock: one machine).
    const since = new Date().toISOString();
    await wb.palette.run('Cloudflare Workflows: Send Event…');
    await wb.quickInput.pick(WF);
    await wb.quickInput.pick('hostile-waiting');
    await wb.quickInput.waitTitle(/event type/);
    await wb.quickInput.pick(`approve-${RLO}txt.exe`);
    await wb.quickInput.waitTitle(/JSON payload/);
    // A hide between two steps hands the focus back to the panel's frame, which takes it after the
    // next step shows and closes that step (the CI flake). Only the palette itself may hide, and it
    // does so before the first step shows.
    const log = (await wb.focusLog()).filter((l) => l.slice(0, since.length) >= since);
    const first = log.findIndex((l) => l.includes('quick input shown: "Workflows in'));
    assert.ok(first >= 0, `the record saw the steps:\n${log.join('\n')}`);
    const hides = log.slice(first).filter((l) => l.endsWith('quick input hidden'));
    assert.equal(hides.length, 0, `the quick input hid between steps:\n${log.join('\n')}`);
    await rh.page.keyboard.press('Escape');
    await wb.quickInput.widget.waitFor({ state: 'hidden' });
    assert.equal(await engineStatus(rh, 'hostile-waiting'), 'running', 'nothing sent');
  });

  it('Watch notification of an errored instance: the error’s links are text, the bidi override is marked', async function () {
    this.timeout(240_000);
    await wb.palette.run('Cloudflare Workflows: Watch Instance');
    await wb.quickInput.pick(WF);
    await wb.quickInput.pick('hostile-waiting');
    // The first check records the current state; only a change notifies.
    await new Promise((r) => setTimeout(r, 12_000));
    const sent = await fetch(`${rh.engine.apiBase}/workflows/${WF}/instances/hostile-waiting/events/${encodeURIComponent('approve-\u202Etxt.exe')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.ok(sent.ok, `event sent: ${sent.status}`);
    await until('errored in the engine', async () => (await engineStatus(rh, 'hostile-waiting')) === 'errored', 90_000);
    const toast = wb.notifications.toast(/hostile-waiting errored/).first();
    await toast.waitFor({ timeout: 40_000 });
    const text = await toast.innerText();
    assert.ok(text.includes('[Update payment settings] (command:'), `the link reads as text: ${text.slice(0, 300)}`);
    assert.ok(text.includes(RLO), 'the bidi override reads as its marker');
    await noDataLinks(rh.page, rh.page.locator('.notifications-toasts'), 'the notification');
  });

  it('CodeLens and hover over the hostile step calls show text only', async () => {
    await rh.page.keyboard.press('Control+P');
    await wb.quickInput.widget.waitFor();
    await rh.page.keyboard.type('src/index.ts');
    await wb.quickInput.row('index.ts').first().waitFor();
    await rh.page.keyboard.press('Enter');
    const editor = rh.page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor();
    // Reveal the failing step's call and hover its name.
    await rh.page.keyboard.press('ControlOrMeta+F');
    await rh.page.keyboard.type('fail $(error)');
    await rh.page.keyboard.press('Escape');
    const lens = rh.page.locator('.contentWidgets .codelens-decoration', { hasText: /last error: (Error: )?Payment failed/ }).first();
    await lens.waitFor({ timeout: 30_000 });
    assert.equal(await lens.locator(DATA_LINKS).count(), 0, 'no data link in the CodeLens');
    assert.match(await lens.innerText(), /last error: (Error: )?Payment failed: \[Update payment settings\]/, 'the CodeLens shows the error as text');
    // The find left the cursor inside the step name: Show Hover (Ctrl+K Ctrl+I) opens the extension's
    // hover there (a mouse hover could land on the URL, whose "Follow link" part is the editor's own).
    await rh.page.keyboard.press('ControlOrMeta+K');
    await rh.page.keyboard.press('ControlOrMeta+I');
    const hover = rh.page.locator('.monaco-hover .rendered-markdown', { hasText: /step\.do/ }).first();
    await hover.waitFor({ timeout: 20_000 });
    await noDataLinks(rh.page, hover, 'the step hover');
    assert.equal(await hover.locator('.codicon-error').count(), 0, 'the step name’s $(error) is not an icon');
    await titleClean(rh.page);
  });
});
