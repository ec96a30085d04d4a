// Cloud accounts in the real workbench (code-server in real Chromium, the production-shaped gateway
// in front of the real engine), clicked as a wrangler user would: the token comes from
// CLOUDFLARE_API_TOKEN and sees two accounts; one is renamed; step statistics are read from it.
import * as assert from 'node:assert/strict';
import { startRealHost, type RealHost } from '../runner/realHost';
import { Workbench } from './pages/workbench';
import { keepEvidence, until } from './support';
import { gatewayLog } from '../support/gatewayLog';

const FIRST = { id: '0123456789abcdef0123456789abcdef', name: 'Gateway Test Account' };
const SECOND = { id: 'fedcba9876543210fedcba9876543210', name: 'Second Test Account' };

describe('Cloud accounts in the real workbench', function () {
  this.timeout(120_000);
  let rh: RealHost;
  let wb: Workbench;

  before(async function () {
    this.timeout(240_000);
    // No CLOUDFLARE_ACCOUNT_ID: the token's accounts are offered, not narrowed to one.
    rh = await startRealHost({ name: 'ui-accounts', gateway: { accounts: [FIRST, SECOND], apiBaseUrlSetting: true, envToken: true }, env: { CLOUDFLARE_ACCOUNT_ID: '' }, log: (l) => console.log(`    [ui] ${l}`) });
    wb = new Workbench(rh.page);
    await wb.waitReady();
    await wb.view.open();
    await wb.view.item(/^Local · 127\.0\.0\.1/).first().waitFor({ timeout: 30_000 });
  });

  afterEach(async function () {
    if (!rh) return;
    // The workbench as the failure left it, before Escape closes what was open.
    if (this.currentTest?.state === 'failed') await keepEvidence(rh, this.currentTest.title);
    await rh.page.keyboard.press('Escape');
  });

  after(async () => {
    await rh?.dispose();
  });

  it('Import Token from Environment sends nothing before the consent dialog, then offers both accounts the token sees and adds the two chosen', async () => {
    await wb.palette.run('Cloudflare Workflows: Import Token from Environment (CLOUDFLARE_API_TOKEN)…');
    const dialog = rh.page.locator('.monaco-dialog-box', { hasText: 'Import the Cloudflare API token from CLOUDFLARE_API_TOKEN?' });
    await dialog.waitFor();
    assert.deepEqual(await gatewayLog(rh.gateway?.apiBase), [], 'no request before the user agreed');
    assert.ok(!(await dialog.innerText()).includes(rh.gateway?.writeToken ?? '\u0000'), 'the dialog does not show the token');
    await wb.dialogButton('Import');
    await wb.quickInput.waitTitle('Which accounts?');
    for (const a of [FIRST, SECOND]) await wb.quickInput.pick(a.name);
    await wb.quickInput.widget.locator('.quick-input-count', { hasText: '2 Selected' }).waitFor();
    await wb.quickInput.accept();
    await wb.view.item(/^Gateway Test Account$/).first().waitFor({ timeout: 30_000 });
    await wb.view.item(/^Second Test Account$/).first().waitFor({ timeout: 30_000 });
    const paths = (await gatewayLog(rh.gateway?.apiBase)).map((l) => `${l.method} ${l.path.split('?')[0]} ${l.status}`);
    assert.ok(paths.includes('GET /client/v4/user/tokens/verify 200'), `verified as a user token: ${paths.join(', ')}`);
    assert.ok(paths.includes('GET /client/v4/accounts 200'), 'listed the accounts');
    for (const a of [FIRST, SECOND]) assert.ok(paths.includes(`GET /client/v4/accounts/${a.id}/workflows 200`), `listed ${a.name}'s Workflows`);
    assert.equal(await wb.notifications.toast(/failed|error/i).count(), 0, 'no error reported');
  });

  it('Rename Connection from the context menu refuses an empty name, then renames; the account name stays as its description', async () => {
    const menu = await wb.view.rightClick(/^Second Test Account$/);
    await menu.click('Rename Connection…');
    await wb.quickInput.waitTitle('Rename connection');
    const input = wb.quickInput.widget.locator('input.input');
    assert.equal(await input.inputValue(), SECOND.name, 'the current name is offered');
    await input.fill('   ');
    await wb.quickInput.widget.getByText('The name must not be empty.').first().waitFor();
    await wb.quickInput.accept();
    // Enter on an invalid name keeps the prompt open and changes nothing.
    await wb.quickInput.waitTitle('Rename connection');
    await input.fill('Staging');
    await wb.quickInput.accept();
    const renamed = wb.view.item(/^Staging$/).first();
    await renamed.waitFor({ timeout: 20_000 });
    assert.match(await renamed.innerText(), /Second Test Account/, 'the account name is still shown beside it');
    assert.equal(await wb.view.item(/^Second Test Account$/).count(), 0, 'the old name is gone');
  });

  it('Pick Connection for Step Statistics reads the CodeLens figures from the picked account only', async () => {
    await wb.palette.run('Cloudflare Workflows: Pick Connection for Step Statistics…');
    await wb.quickInput.waitTitle('Show step statistics from which connection?');
    await wb.quickInput.row('Gateway Test Account').first().waitFor();
    await wb.quickInput.row(`Local · ${rh.engine.baseUrl.replace(/^https?:\/\//, '')}`).first().waitFor();
    const before = (await gatewayLog(rh.gateway?.apiBase)).length;
    await wb.quickInput.pick('Staging');
    await rh.page.keyboard.press('Control+P');
    await wb.quickInput.widget.waitFor();
    await rh.page.keyboard.type('src/index.ts');
    await wb.quickInput.row('index.ts').first().waitFor();
    await rh.page.keyboard.press('Enter');
    await rh.page.locator('.contentWidgets .codelens-decoration', { hasText: /\d+ runs? · \d+% ok/ }).first().waitFor({ timeout: 30_000 });
    // The lenses' reads (a workflow's details and instances) went to the second account, none to the first.
    let reads: string[] = [];
    await until('the lenses read instances from the gateway', async () => {
      reads = (await gatewayLog(rh.gateway?.apiBase)).slice(before).map((l) => l.path).filter((p) => /\/workflows\/[^/?]+/.test(p));
      return reads.some((p) => p.includes('/instances'));
    });
    assert.ok(reads.every((p) => p.startsWith(`/client/v4/accounts/${SECOND.id}/`)), `every lens read went to the picked account: ${reads.join(', ')}`);
  });

  it('Create Instance on a cloud account asks for retention, refuses one that is not a duration, and sends the one typed', async () => {
    const logBefore = (await gatewayLog(rh.gateway?.apiBase)).length;
    const tabsBefore = await wb.tabResources();
    await wb.palette.run('Cloudflare Workflows: Create Instance…');
    await wb.quickInput.waitTitle('Cloudflare Workflows: Connection');
    await wb.quickInput.pick('Gateway Test Account');
    await wb.quickInput.waitTitle(/Workflows in Gateway Test Account/);
    await wb.quickInput.pick('bulk-import');
    await wb.quickInput.waitTitle(/\(1\/3\): ID/);
    await wb.quickInput.type('cloud-retained');
    await wb.quickInput.accept();
    await wb.newActiveTab(tabsBefore, /^Untitled-\d+$/);
    await wb.notifications.toast(/edit the JSON in the editor/).getByRole('button', { name: 'Create Instance' }).click();
    await wb.quickInput.waitTitle(/\(3\/3\): retention/);
    const input = wb.quickInput.widget.locator('input.input');
    await input.fill('forever, 7 days');
    await wb.quickInput.widget.getByText(/Success retention "forever" is not a duration/).first().waitFor();
    await wb.quickInput.accept();
    await wb.quickInput.waitTitle(/\(3\/3\): retention/);
    // Nothing sent while the retention is invalid: no create request at all reached the gateway.
    const createsSoFar = (await gatewayLog(rh.gateway?.apiBase)).slice(logBefore).filter((l) => l.method === 'POST' && l.path.endsWith('/workflows/bulk-import/instances'));
    assert.deepEqual(createsSoFar, [], 'no create request while the retention is invalid');
    await input.fill('1 day, 7 days');
    await wb.quickInput.accept();
    await rh.page.locator('.tabs-container .tab', { hasText: 'cloud-retained' }).first().waitFor({ timeout: 30_000 });
    assert.deepEqual(rh.gateway?.retention('cloud-retained'), { success_retention: '1 day', error_retention: '7 days' });
    const created = (await gatewayLog(rh.gateway?.apiBase)).slice(logBefore).filter((l) => l.method === 'POST' && l.path.endsWith('/workflows/bulk-import/instances'));
    assert.equal(created.length, 1, 'one create request');
    assert.ok(created[0].path.startsWith(`/client/v4/accounts/${FIRST.id}/`), 'on the account picked');
    await wb.webviewFocused();
    // A panel left focused can take the focus back from a later quick input (README, open flake).
    await wb.closeTab('cloud-retained');
  });
});
