// UI flows in real Chromium against code-server and the real engine, as a user clicks them.
// Screenshots of each step go to docs/screenshots/ (the README shows them); on a failure, a
// screenshot and the extension's log are kept in test-results/ui/.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { root, startRealHost, type RealHost } from '../runner/realHost';
import { node22Path } from '../../scripts/setup-node22.mjs';
import { Workbench } from './pages/workbench';
// The README's screenshots are refreshed on request (UPDATE_SCREENSHOTS=1); other runs keep theirs in test-results/.
import { keepEvidence, shots, until } from './support';

async function engineStatus(rh: RealHost, workflow: string, id: string): Promise<string> {
  const r = await fetch(`${rh.engine.apiBase}/workflows/${workflow}/instances/${id}`);
  return ((await r.json()) as { result: { status: string } | null }).result?.status ?? 'missing';
}

async function createInstance(rh: RealHost, workflow: string, id: string, params: unknown): Promise<void> {
  const r = await fetch(`${rh.engine.apiBase}/workflows/${workflow}/instances`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, params }) });
  assert.ok(r.ok, `creating ${workflow}/${id}: ${r.status} ${await r.text()}`);
}

/** The extension is active and has found the engine (a flow run alone, with --grep, needs this). */
async function ensureConnected(wb: Workbench): Promise<void> {
  await wb.view.open();
  await wb.view.item(/^Local · 127\.0\.0\.1/).first().waitFor({ timeout: 30_000 });
  // Take the focus out of any webview: keys typed there never reach the palette's input.
  await wb.page.locator('.part.sidebar .composite.title').first().click();
}

describe('UI flows in the real workbench', function () {
  this.timeout(120_000);
  let rh: RealHost;
  let wb: Workbench;

  before(async function () {
    this.timeout(180_000);
    mkdirSync(shots, { recursive: true });
    // Start Local Dev Session runs the workspace's wrangler with a Node its engines accept: this one.
    rh = await startRealHost({ name: 'ui', settings: { 'cloudflareWorkflows.nodePath': node22Path({ install: false }) }, log: (l) => console.log(`    [ui] ${l}`) });
    wb = new Workbench(rh.page);
    await wb.waitReady();
  });

  afterEach(async function () {
    if (!rh) return;
    const failed = this.currentTest?.state === 'failed';
    // The workbench as the failure left it, before anything below changes it.
    if (failed) await keepEvidence(rh, this.currentTest?.title);
    // Leave no menu, quick input or dialog open for the next flow.
    await rh.page.keyboard.press('Escape');
    await rh.page.keyboard.press('Escape');
    if (!failed) return;
    // A failed flow can leave a command waiting on a notification or an editor: clear both, so the
    // next flow starts from a clean workbench instead of failing in its wake.
    await wb.palette.run('Notifications: Clear All Notifications').catch(() => undefined);
    await wb.palette.run('View: Close All Editors').catch(() => undefined);
    await rh.page.keyboard.press('Escape');
  });

  after(async () => {
    await rh?.dispose();
  });

  it('opens the Workflows view and walks connection → workflow → status group → instance', async () => {
    await wb.view.open();
    await wb.view.item(/^Local · 127\.0\.0\.1/).first().waitFor({ timeout: 30_000 });
    await wb.screenshot(join(shots, '1-view.png'));
    await wb.view.expand('long-sleeper');
    await wb.view.item('Running').first().waitFor();
    await wb.screenshot(join(shots, '2-workflow.png'));
    const runningGroup = wb.view.item('Running').first();
    await runningGroup.locator('.monaco-tl-twistie').click();
    await wb.view.item('sleeper-running').first().waitFor();
    await wb.screenshot(join(shots, '3-instances.png'));
  });

  it('opens the instance timeline in a webview', async () => {
    await wb.view.item('sleeper-running').first().click();
    const view = wb.webview();
    await view.text('start work-1').first().waitFor({ timeout: 30_000 });
    await view.text('nap-1').first().waitFor();
    await wb.screenshot(join(shots, '4-timeline.png'));
  });

  it('pauses and resumes an instance from the context menu', async () => {
    const menu = await wb.view.rightClick('sleeper-running');
    const labels = await menu.labels();
    assert.ok(labels.includes('Pause') && !labels.includes('Resume'), labels.join(', '));
    await wb.screenshot(join(shots, '5-context-menu.png'));
    await menu.click('Pause');
    await until('paused in the engine', async () => (await engineStatus(rh, 'long-sleeper', 'sleeper-running')) === 'paused');
    // The tree refreshes only the affected groups: the row leaves Running, and appears under Paused.
    await until('the row left the Running group', async () => (await wb.view.item('sleeper-running').count()) === 0);
    await wb.view.expand('Paused');
    await until('the row is under Paused', async () => (await wb.view.item('sleeper-running').count()) === 1);
    const menu2 = await wb.view.rightClick('sleeper-running');
    assert.ok((await menu2.labels()).includes('Resume'));
    await menu2.click('Resume');
    await until('running in the engine', async () => (await engineStatus(rh, 'long-sleeper', 'sleeper-running')) === 'running');
  });

  it('sends an event to a waiting instance from the palette and sees it complete', async () => {
    await wb.palette.run('Cloudflare Workflows: Send Event…');
    await wb.quickInput.pick('approval-gate');
    await wb.quickInput.pick('approval-waiting');
    await wb.quickInput.waitTitle(/event type/);
    await wb.quickInput.row('decision').first().waitFor();
    await wb.screenshot(join(shots, '6-send-event.png'));
    await wb.quickInput.accept();
    await wb.quickInput.waitTitle(/JSON payload/);
    await wb.quickInput.type('{"approved": true}', { clear: true });
    await wb.quickInput.accept();
    await wb.notifications.expect(/Event "decision" sent to approval-waiting/);
    await until('complete in the engine', async () => (await engineStatus(rh, 'approval-gate', 'approval-waiting')) === 'complete');
    await wb.screenshot(join(shots, '7-event-sent.png'));
  });

  it('runs actions from the instance panel', async () => {
    await rh.page.locator('.tabs-container .tab', { hasText: 'sleeper-running' }).first().click();
    const view = wb.webview();
    await view.frame.getByRole('button', { name: 'Pause' }).click();
    await until('paused in the engine', async () => (await engineStatus(rh, 'long-sleeper', 'sleeper-running')) === 'paused');
    await view.frame.getByRole('button', { name: 'Resume' }).click();
    await until('running in the engine', async () => (await engineStatus(rh, 'long-sleeper', 'sleeper-running')) === 'running');
  });

  it('restores the instance panel after a window reload', async () => {
    await wb.webview().text('nap-1').first().waitFor();
    await rh.page.reload();
    await wb.waitReady();
    await rh.page.locator('.tabs-container .tab', { hasText: 'sleeper-running' }).first().waitFor({ timeout: 30_000 });
    await wb.webview().text('nap-1').first().waitFor({ timeout: 30_000 });
  });

  it('shows step statistics as CodeLens over the step calls', async () => {
    await rh.page.keyboard.press('Control+P');
    await wb.quickInput.widget.waitFor();
    await rh.page.keyboard.type('src/index.ts');
    await wb.quickInput.row('index.ts').first().waitFor();
    await rh.page.keyboard.press('Enter');
    const lens = rh.page.locator('.contentWidgets .codelens-decoration', { hasText: /\d+ runs? · \d+% ok/ }).first();
    await lens.waitFor({ timeout: 30_000 });
    await wb.screenshot(join(shots, '8-codelens.png'));
  });

  it('creates an instance from the palette through the JSON params editor', async () => {
    const tabsBefore = await wb.tabResources();
    await wb.palette.run('Cloudflare Workflows: Create Instance…');
    await wb.quickInput.pick('bulk-import');
    await wb.quickInput.waitTitle(/ID/);
    await wb.quickInput.type('bad id!');
    await wb.quickInput.widget.getByText(/may contain only letters/).first().waitFor();
    await wb.quickInput.type('from-palette', { clear: true });
    await wb.quickInput.accept();
    // The params open in a real JSON editor; the notification's button sends them.
    await wb.newActiveTab(tabsBefore, /^Untitled-\d+$/);
    // Synthetic typing into Monaco here doubles auto-closed quotes, so the template `{ }` is sent as is.
    await wb.notifications.toast(/edit the JSON in the editor/).getByRole('button', { name: 'Create Instance' }).click();
    await until('created and complete', async () => (await engineStatus(rh, 'bulk-import', 'from-palette')) === 'complete');
    const created = (await (await fetch(`${rh.engine.apiBase}/workflows/bulk-import/instances/from-palette`)).json()) as { result: { params: unknown; steps: unknown[] } };
    assert.deepEqual(created.result.params, {}, 'the params from the editor');
    assert.equal(created.result.steps.length, 300, 'bulk-import defaults to 300 rows');
    await wb.webview().text('import row 2-1').first().waitFor({ timeout: 30_000 });
    await wb.webviewFocused();
    await wb.screenshot(join(shots, '9-created.png'));
    // Open flake, cause not found: a panel opened by a flow can take the focus again later and close
    // the next flow's quick pick (2 of 4 rounds). The flow closes the panel it opened.
    await wb.closeTab('from-palette');
  });

  it('terminates from the palette after a modal confirmation', async () => {
    await wb.palette.run('Cloudflare Workflows: Terminate…');
    await wb.quickInput.pick('long-sleeper');
    // Only instances that can be terminated are offered.
    await wb.quickInput.row('sleeper-running').first().waitFor();
    assert.equal(await wb.quickInput.row('sleeper-terminated').count(), 0);
    await wb.quickInput.pick('sleeper-running');
    await rh.page.locator('.monaco-dialog-box', { hasText: 'Terminate instance "sleeper-running"?' }).waitFor();
    await wb.screenshot(join(shots, '10-terminate-confirm.png'));
    await wb.dialogButton('Terminate');
    await until('terminated in the engine', async () => (await engineStatus(rh, 'long-sleeper', 'sleeper-running')) === 'terminated');
  });
  it('types JSON params into the editor: bad JSON is marked with the extension\'s message until fixed, and the engine receives exactly what was typed', async () => {
    await ensureConnected(wb);
    const tabsBefore = await wb.tabResources();
    await wb.palette.run('Cloudflare Workflows: Create Instance…');
    await wb.quickInput.pick('bulk-import');
    await wb.quickInput.waitTitle(/ID/);
    await wb.quickInput.type('typed-params');
    await wb.quickInput.accept();
    await wb.newActiveTab(tabsBefore, /^Untitled-\d+$/);
    // Through the clipboard, as a user pastes: typed keys would meet the editor's auto-closing of
    // quotes and brackets and auto-indent (seen: a doubled closing brace).
    const typed = { count: 3, note: 'from the UI "quoted" ✓' };
    await rh.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(rh.page.url()).origin });
    const paste = async (text: string) => {
      await rh.page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await rh.page.locator('.editor-instance .monaco-editor').first().click();
      await rh.page.keyboard.press('ControlOrMeta+A');
      await rh.page.keyboard.press('ControlOrMeta+V');
    };
    // Bad JSON first: the editor marks it at once (the extension's own diagnostics, in the status bar's
    // problem count too), and goes clean again when the JSON is fixed.
    const squiggles = rh.page.locator('.editor-instance .monaco-editor .squiggly-error');
    await paste('{ "count": 3,, }');
    await squiggles.first().waitFor({ timeout: 10_000 });
    // Ours, not only the JSON language's: the Problems panel shows the extension's message.
    await rh.page.keyboard.press('ControlOrMeta+Shift+M');
    const ours = rh.page.locator('.part.panel', { hasText: 'Params is not valid JSON' });
    await ours.first().waitFor({ timeout: 10_000 });
    await paste(JSON.stringify(typed, null, 2));
    await rh.page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'from the UI' }).first().waitFor();
    await until('the marker is gone once the JSON is valid', async () => (await squiggles.count()) === 0 && (await ours.count()) === 0, 10_000);
    await wb.notifications.toast(/edit the JSON in the editor/).getByRole('button', { name: 'Create Instance' }).click();
    await until('created', async () => (await engineStatus(rh, 'bulk-import', 'typed-params')) !== 'missing');
    const created = (await (await fetch(`${rh.engine.apiBase}/workflows/bulk-import/instances/typed-params`)).json()) as { result: { params: unknown } };
    assert.deepEqual(created.result.params, typed, 'the engine received the typed JSON');
    // Create Instance then opens the new instance's panel, and the webview takes the focus when its
    // frame has loaded, which can be after this flow's last step. A palette opened by the next flow in
    // that window lost its focus to the webview and closed (CI: "Show Log from the palette" never
    // listed the command). End the flow on the settled state: the panel painted the instance.
    await rh.page.locator('.tabs-container .tab.active', { hasText: 'typed-params' }).waitFor({ timeout: 30_000 });
    await wb.webview().text(/^typed-params$/).first().waitFor({ timeout: 30_000 });
    await wb.webview().text('import row 2-1').first().waitFor({ timeout: 30_000 });
    await wb.webviewFocused();
    // See "creates an instance…": the panel is closed so that it cannot take the next flow's focus.
    await wb.closeTab('typed-params');
  });

  it('Go to Instance from the palette opens the typed id; an unknown id is reported and opens no tab', async () => {
    await ensureConnected(wb);
    await wb.palette.run('Cloudflare Workflows: Go to Instance…');
    await wb.quickInput.pick('flaky-payments');
    await wb.quickInput.waitTitle(/Go to an instance of flaky-payments/);
    await wb.quickInput.type('payment-errored');
    await wb.quickInput.accept();
    await rh.page.locator('.tabs-container .tab.active', { hasText: 'payment-errored' }).waitFor({ timeout: 30_000 });
    // The panel painted the instance (and took the focus, which it does once its frame loads).
    await wb.webview().text(/^payment-errored$/).first().waitFor({ timeout: 30_000 });
    await wb.webviewFocused();
    // Closed, as the other flows close the panels they open: with a panel as the active editor, every
    // quick input that hides hands the focus back to its frame a moment later, and a palette opened in
    // that moment closes (a repeated round: "Show Log" lost its palette after this flow).
    await wb.closeTab('payment-errored');
    await wb.page.locator('.part.sidebar .composite.title').first().click();
    const tabsBefore = await rh.page.locator('.tabs-container .tab').allInnerTexts();
    await wb.palette.run('Cloudflare Workflows: Go to Instance…');
    await wb.quickInput.pick('flaky-payments');
    await wb.quickInput.waitTitle(/Go to an instance of flaky-payments/);
    await wb.quickInput.type('no-such-instance');
    await wb.quickInput.accept();
    await wb.notifications.expect(/no-such-instance/);
    const tabs = await rh.page.locator('.tabs-container .tab').allInnerTexts();
    assert.deepEqual(tabs.map((t) => t.trim()).filter((t) => t.includes('no-such-instance')), [], `no tab for the unknown id (tabs: ${JSON.stringify(tabs)})`);
    assert.deepEqual(tabs, tabsBefore, 'no tab opened or closed');
    await wb.palette.run('Notifications: Clear All Notifications');
  });

  it('Show Log from the palette shows the extension log in the Output panel', async () => {
    await wb.palette.run('Cloudflare Workflows: Show Log');
    const output = rh.page.locator('.part.panel');
    // The channel is ours, and it shows log lines. Monaco renders only the visible (last) lines and
    // spaces as no-break spaces (\s matches both), so look for a level tag, not the first line.
    await output.locator('.monaco-select-box', { hasText: 'Cloudflare Workflows' }).first().waitFor({ timeout: 20_000 });
    await output.locator('.view-lines', { hasText: /\[(info|warning|error)\]/ }).first().waitFor({ timeout: 20_000 });
  });

  it('Watch Workflow (errors) notifies about a new errored instance; Stop All Watches ends it', async function () {
    this.timeout(240_000);
    await wb.palette.run('Cloudflare Workflows: Watch Workflow (errors)');
    await wb.quickInput.pick('flaky-payments');
    await rh.page.locator('.statusbar', { hasText: 'Watching flaky-payments for errors.' }).waitFor();
    // The first check (every 10 s) records the current errored count; only an increase notifies.
    await new Promise((r) => setTimeout(r, 12_000));
    await createInstance(rh, 'flaky-payments', 'watched-error', { amount: 7 });
    await until('errored in the engine', async () => (await engineStatus(rh, 'flaky-payments', 'watched-error')) === 'errored', 90_000);
    await wb.notifications.expect(/1 new errored instance\(s\) in flaky-payments/, 30_000);
    await wb.palette.run('Cloudflare Workflows: Stop All Watches');
    await wb.palette.run('Notifications: Clear All Notifications');
    await until('toasts cleared', async () => (await wb.notifications.toast(/new errored instance/).count()) === 0, 10_000);
    await createInstance(rh, 'flaky-payments', 'unwatched-error', { amount: 8 });
    await until('errored in the engine', async () => (await engineStatus(rh, 'flaky-payments', 'unwatched-error')) === 'errored', 90_000);
    // Two more watch periods: a watch that still ran would have notified by now.
    await new Promise((r) => setTimeout(r, 22_000));
    assert.equal(await wb.notifications.toast(/new errored instance/).count(), 0, 'no watch notification after Stop All Watches');
  });

  it("Create Test from Instance… from the tree's context menu writes a replay test next to the project's tests and opens it", async () => {
    mkdirSync(join(rh.workspace, 'test'), { recursive: true });
    const file = join(rh.workspace, 'test', 'order-pipeline.order-complete.replay.test.ts');
    // After the Watch flow on purpose: its errored instances land in the tree above order-pipeline
    // while this flow walks down to it, which once moved a positional row locator onto another row.
    await wb.closeAllTabs();
    await ensureConnected(wb);
    await wb.view.expand('order-pipeline');
    await wb.view.expandAt(['order-pipeline', /^Complete$/]);
    const menu = await wb.view.rightClick('order-complete');
    await menu.click('Create Test from Instance…');
    await rh.page.locator('.monaco-dialog-box', { hasText: "Write the replay test next to the project's tests?" }).waitFor();
    assert.ok(!existsSync(file), 'nothing written before the click');
    await wb.dialogButton('Write Test');
    await rh.page.locator('.tabs-container .tab.active', { hasText: 'order-pipeline.order-complete.replay.test.ts' }).waitFor({ timeout: 30_000 });
    const code = readFileSync(file, 'utf8');
    assert.match(code, /introspectWorkflowInstance/);
    assert.match(code, /await instance\.waitForStatus\('complete'\);/);
    // The fixture copy has no package.json: the missing setup is reported, nothing is installed.
    await wb.notifications.expect(/vitest-pool-workers/);
    await wb.screenshot(join(shots, 'create-test.png'));
    await wb.palette.run('Notifications: Clear All Notifications');
  });

  // Last: it adds a second connection, which the flows above do not expect.
  it("Start Local Dev Session runs the workspace's own wrangler on a free port of 8787–8797 and connects to it", async function () {
    this.timeout(240_000);
    // The project's wrangler, as the workspace's own (node_modules/wrangler; a symlink, as pnpm lays it out).
    mkdirSync(join(rh.workspace, 'node_modules'), { recursive: true });
    const cli = join(rh.workspace, 'node_modules', 'wrangler');
    symlinkSync(join(root, 'node_modules', 'wrangler'), cli, 'dir');
    let port: number | undefined;
    try {
      await ensureConnected(wb);
      await wb.palette.run('Cloudflare Workflows: Start Local Dev Session');
      const dialog = rh.page.locator('.monaco-dialog-box', { hasText: /Run "wrangler dev" on port \d+\?/ });
      await dialog.waitFor();
      port = Number(/on port (\d+)/.exec(await dialog.innerText())?.[1]);
      assert.ok(port >= 8787 && port <= 8797 && port !== rh.engine.port, `a free port in discovery's range, not the test engine's ${rh.engine.port} (got ${port})`);
      assert.match(await dialog.innerText(), /with wrangler \d+\.\d+\.\d+ \(the workspace's\)/);
      await wb.dialogButton('Run wrangler dev');
      // The tree shows the new session once it answers (wrangler takes a while to start here).
      await wb.view.item(`Local · 127.0.0.1:${port}`).first().waitFor({ timeout: 150_000 });
      const listed = (await (await fetch(`http://127.0.0.1:${port}${rh.engine.apiBase.slice(rh.engine.baseUrl.length)}/workflows`)).json()) as { result: { name: string }[] };
      assert.ok(listed.result.some((w) => w.name === 'order-pipeline'), 'the started session serves the fixture Worker');
      await rh.page.locator('.part.panel .tabs-container, .part.panel', { hasText: `wrangler dev :${port}` }).first().waitFor();
      await wb.screenshot(join(shots, '11-local-session-started.png'));
      await wb.palette.run('Terminal: Kill All Terminals');
      await until('the session stopped', async () => !(await fetch(`http://127.0.0.1:${port}${rh.engine.apiBase.slice(rh.engine.baseUrl.length)}/workflows`).then((r) => r.ok, () => false)), 30_000);
    } finally {
      // Whatever happened, no wrangler of this test outlives it (later suites probe the same ports).
      try {
        execFileSync('pkill', ['-f', cli]);
      } catch {
        /* none left */
      }
    }
  });
});
