// "Waiting for events" in the real workbench (code-server in real Chromium, real engine): expand the
// connection's inbox, see the instances waiting for "decision", and send them all one event from the
// type group's context menu through the preview dialog. The README's screenshots of the inbox come
// from here (UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/; other runs to test-results/).
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRealHost, type RealHost } from '../runner/realHost';
import { Workbench } from './pages/workbench';
import { keepEvidence, shots, until } from './support';

const WF = 'approval-gate';

async function engine(rh: RealHost, method: string, path: string, body?: unknown): Promise<{ success: boolean; result: { status?: string; steps?: { type: string; end?: string | null }[] } | null }> {
  const r = await fetch(`${rh.engine.apiBase}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await r.json()) as never;
}

describe('Waiting for events in the real workbench', function () {
  this.timeout(120_000);
  let rh: RealHost;
  let wb: Workbench;
  const ids = ['approval-ui-1', 'approval-ui-2', 'approval-ui-3'];

  before(async function () {
    this.timeout(240_000);
    mkdirSync(shots, { recursive: true });
    rh = await startRealHost({ name: 'ui-inbox', log: (l) => console.log(`    [ui] ${l}`) });
    wb = new Workbench(rh.page);
    await wb.waitReady();
    for (const id of ids) assert.ok((await engine(rh, 'POST', `/workflows/${WF}/instances`, { id, params: { requester: id } })).success, `created ${id}`);
    for (const id of ids) await until(`${id} waits`, async () => !!(await engine(rh, 'GET', `/workflows/${WF}/instances/${id}`)).result?.steps?.some((s) => s.type === 'waitForEvent' && !s.end));
  });

  afterEach(async function () {
    if (!rh || this.currentTest?.state !== 'failed') return;
    await keepEvidence(rh, this.currentTest.title);
  });

  after(async () => {
    await rh?.dispose();
  });

  it('expands the inbox, then sends one event to every instance waiting for "decision"', async () => {
    await wb.view.open();
    const host = new URL(rh.engine.apiBase).host;
    await wb.view.item(`Local · ${host}`).first().waitFor({ timeout: 30_000 });
    // Another local session on the machine (a developer's own wrangler dev) would be listed too: only
    // this test's engine stays expanded, so the rows below are its own.
    // Rows are found by label, not by position (`all()` is positional, and rows move as they load).
    for (const label of await wb.view.item(/^Local · /).locator('.label-name').allInnerTexts()) {
      const row = wb.view.item(label).first();
      if (label !== `Local · ${host}` && (await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
    }
    await wb.page.locator('.part.sidebar .composite.title').first().click();
    // A wider sidebar, so that the screenshots show the descriptions (counts, wait times, timeouts).
    const box = await wb.page.locator('.part.sidebar').boundingBox();
    if (box) {
      await wb.page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
      await wb.page.mouse.down();
      await wb.page.mouse.move(box.x + box.width + 320, box.y + box.height / 2, { steps: 5 });
      await wb.page.mouse.up();
    }
    // The connection's inbox (above its workflows) covers them all.
    await wb.view.expand('Waiting for events');
    await wb.view.expand(/^decision$/);
    for (const id of ids) await wb.view.item(id).first().waitFor({ timeout: 30_000 });
    // The seeded approval-waiting waits too: four in the group.
    const group = wb.view.item(/^decision$/).first();
    assert.match(await group.locator('.label-description').innerText(), /^4 · oldest /);
    assert.match(await wb.view.item(ids[0]).first().locator('.label-description').innerText(), /^approval-gate · waiting .+ · times out in /);
    await wb.screenshot(join(shots, 'inbox-1-waiting.png'));

    const menu = await wb.view.rightClick(/^decision$/);
    assert.ok((await menu.labels()).includes('Send Event to All…'));
    await menu.click('Send Event to All…');
    await wb.quickInput.waitTitle(/JSON payload/);
    await wb.quickInput.type('{"approved": true}', { clear: true });
    await wb.quickInput.accept();
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.getByText(/Send event "decision" to 4 instances\?/).waitFor();
    await wb.screenshot(join(shots, 'inbox-2-send-to-all.png'));
    await wb.dialogButton('Send to 4');
    await wb.notifications.expect(/Event "decision": 4 sent, 0 failed/);
    for (const id of [...ids, 'approval-waiting']) await until(`${id} complete in the engine`, async () => (await engine(rh, 'GET', `/workflows/${WF}/instances/${id}`)).result?.status === 'complete');
  });
});
