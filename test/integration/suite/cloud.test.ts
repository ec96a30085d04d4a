// A Cloudflare account connection, end to end through the production-shaped gateway in front of the
// real engine: add with a token, browse, act, a read-only token, a rejected token, remove — and the
// token is never in settings, globalState, the log, an error, the tree or the webview.
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CloudConnection } from '../../../src/connections/types';
import type { ConnectionNode, TreeNode } from '../../../src/tree/nodes';
import { api, commandErrorList, driveUi, expectCommandError, isKind, truth, waitFor } from '../helpers';
import { answering, confirmWith, modals } from '../prompts';

const env = (k: string) => {
  const v = process.env[k];
  assert.ok(v, `${k} is set by the runner`);
  return v;
};

describe('Cloud account connection (through the gateway)', () => {
  let conn: CloudConnection;
  const write = () => env('CFWF_GATEWAY_WRITE_TOKEN');
  const read = () => env('CFWF_GATEWAY_READ_TOKEN');

  async function cloudRoot(): Promise<ConnectionNode> {
    const a = await api();
    const roots = (await a.tree.getChildren()) as ConnectionNode[];
    const r = roots.find((x) => x.connection.id === conn.id);
    assert.ok(r, 'the account is a tree root');
    return r;
  }

  it('adds an account: verifies the token, lists accounts, stores the token only in SecretStorage', async () => {
    const a = await api();
    // The API base URL comes only from the user's own (application-scoped) setting; the token is typed.
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const { result: added } = await answering((p) => (p.kind === 'inputBox' ? write() : undefined), () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount', { token: 'not-used', apiBaseUrl: 'https://attacker.example' }));
    assert.equal(added.length, 1);
    conn = added[0];
    assert.equal(conn.accountId, env('CFWF_GATEWAY_ACCOUNT'));
    assert.equal(await a.registry.cloud.getToken(conn.id), write());
  });

  it('browses the account: workflows with counts, groups, instances (cursor paging)', async () => {
    const a = await api();
    const root = await cloudRoot();
    const workflows = (await a.tree.getChildren(root)).filter(isKind('workflow'));
    assert.deepEqual(workflows.map((w) => w.name).sort(), (await truth().listWorkflows()).map((w) => w.name).sort());
    const sleeper = workflows.find((w) => w.name === 'long-sleeper');
    assert.ok(sleeper);
    const groups = (await a.tree.getChildren(sleeper)).filter(isKind('group'));
    const paused = groups.find((g) => g.status === 'paused');
    assert.ok(paused);
    const ids = (await a.tree.getChildren(paused)).filter(isKind('instance')).map((i) => i.instance.id);
    assert.ok(ids.includes('sleeper-paused'));
    const item = a.tree.getTreeItem((await a.tree.getChildren(paused)).filter(isKind('instance'))[0]);
    assert.match(String(item.contextValue), /^cfwfInstance:paused:rw:cloud/);
  });

  it("logs Cloudflare's envelope messages (bounded, never shown as a notification)", async () => {
    const a = await api();
    const text = `Deprecated soon: ${'x'.repeat(400)}`;
    const url = new URL('/__gateway/notice', env('CFWF_GATEWAY_API'));
    url.searchParams.set('code', '10999');
    url.searchParams.set('message', text);
    assert.ok((await fetch(url, { method: 'POST' })).ok);
    const backend = await a.registry.backend(conn.id);
    const { prompts } = await answering(() => undefined, () => backend.listWorkflows());
    assert.deepEqual(prompts, [], 'nothing shown to the user');
    const line = a.log.history.find((l) => l.includes('Cloudflare says (') && l.includes('[10999] Deprecated soon: '));
    assert.ok(line, 'the notice is in the log');
    assert.ok(line.includes(text.slice(0, 300)) && !line.includes(text.slice(0, 301)), 'cut at 300 characters');
  });

  it('Rename Connection… takes the name typed into its input box', async () => {
    const a = await api();
    const running = vscode.commands.executeCommand('cloudflareWorkflows.renameConnection', conn.id);
    await driveUi([{ waitFor: '.quick-input-widget input' }, { press: 'ControlOrMeta+A' }, { type: 'Renamed ✓ in the UI' }, { press: 'Enter' }]);
    await running;
    assert.equal(a.registry.connections().find((c) => c.id === conn.id)?.label, 'Renamed ✓ in the UI');
    assert.match(String(a.tree.getTreeItem(await cloudRoot()).label), /Renamed ✓ in the UI/);
  });

  it('Pick Connection for Step Statistics… switches the lenses to the connection picked', async () => {
    const a = await api();
    const pick = async (text: string) => {
      const running = vscode.commands.executeCommand('cloudflareWorkflows.pickSourceConnection');
      await driveUi([{ waitFor: '.quick-input-widget .quick-input-list .monaco-list-row' }, { type: text }, { waitFor: `.quick-input-widget .monaco-list-row:has-text("${text}")` }, { press: 'Enter' }]);
      await running;
    };
    await pick('Renamed');
    assert.equal(a.insights.connectionId(), conn.id, 'the cloud account is the source');
    await pick('Local');
    assert.notEqual(a.insights.connectionId(), conn.id, 'and back to the local session');
    assert.equal(a.registry.connections().find((c) => c.id === a.insights.connectionId())?.kind, 'local');
  });

  it('acts on an instance with a write token', async () => {
    await truth().createInstance('long-sleeper', { id: 'cloud-act', params: { minutes: 600 } });
    await waitFor('sleeping', async () => (await truth().getInstance('long-sleeper', 'cloud-act')).steps.length >= 2);
    await vscode.commands.executeCommand('cloudflareWorkflows.pause', { connectionId: conn.id, workflow: 'long-sleeper', id: 'cloud-act' });
    await waitFor('paused', async () => (await truth().getInstance('long-sleeper', 'cloud-act')).status === 'paused');
  });

  it('marks the connection read-only when a write is refused (403) and hides write actions', async () => {
    const a = await api();
    await answering((p) => (p.kind === 'inputBox' ? read() : undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.updateToken', conn.id));
    expectCommandError('resume', /Workers Scripts Write/);
    const errs = (await commandErrorList()).length;
    await vscode.commands.executeCommand('cloudflareWorkflows.resume', { connectionId: conn.id, workflow: 'long-sleeper', id: 'cloud-act' });
    assert.match((await commandErrorList()).slice(errs).map((e) => e.message).join('\n'), /Workers Scripts Write/);
    assert.equal((await truth().getInstance('long-sleeper', 'cloud-act')).status, 'paused', 'nothing changed');
    assert.ok(a.registry.readOnlyInfo(conn.id), 'marked read-only');
    const root = await cloudRoot();
    assert.match(String(a.tree.getTreeItem(root).contextValue), /^cfwfConnection:cloud:ro/);
    const kids = await a.tree.getChildren(root);
    assert.ok(kids.some((k: TreeNode) => k.kind === 'message' && /Read-only: the token lacks Workers Scripts Write/.test(k.text)));
    const report = await vscode.commands.executeCommand<string>('cloudflareWorkflows.diagnoseConnection', conn.id, 'quiet');
    assert.match(report, /\| Token \| ok \| user API token; status: active; verified by \/user\/tokens\/verify \|/);
    assert.match(report, /\| Write permission \| FAILED \|/);
  });

  it('rejects a wrong token clearly and keeps the stored one', async () => {
    const a = await api();
    expectCommandError('updateToken', /did not accept this token|accepted this token neither/);
    const errs = (await commandErrorList()).length;
    await answering((p) => (p.kind === 'inputBox' ? 'cfwf-bogus-token-that-is-wrong' : undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.updateToken', conn.id));
    assert.match((await commandErrorList()).slice(errs).map((e) => e.message).join('\n'), /did not accept this token|accepted this token neither/);
    assert.equal(await a.registry.cloud.getToken(conn.id), read());
  });

  it('never lets a token reach settings, globalState, the log, errors, the tree or the webview', async () => {
    const a = await api();
    await vscode.commands.executeCommand('cloudflareWorkflows.openInstance', { connectionId: conn.id, workflow: 'long-sleeper', id: 'cloud-act' });
    await waitFor('panel', async () => a.panels.manager.lastPosted({ connectionId: conn.id, connectionLabel: '', workflow: 'long-sleeper', id: 'cloud-act' })?.type === 'instance');
    const secrets = [write(), read(), 'cfwf-bogus-token-that-is-wrong'];
    const places: Record<string, string> = {
      settings: JSON.stringify(vscode.workspace.getConfiguration('cloudflareWorkflows')) + JSON.stringify(vscode.workspace.getConfiguration().inspect('cloudflareWorkflows')),
      globalState: JSON.stringify(a.globalState.keys().map((k) => [k, a.globalState.get(k)])),
      log: a.log.history.join('\n'),
      errors: JSON.stringify(await commandErrorList()),
      tree: JSON.stringify((await a.tree.getChildren()).map((n) => a.tree.getTreeItem(n))),
      webview: JSON.stringify(a.panels.manager.panels().map((t) => a.panels.manager.lastPosted(t))),
    };
    const wsSettings = join(vscode.workspace.workspaceFolders?.[0].uri.fsPath ?? '', '.vscode', 'settings.json');
    if (existsSync(wsSettings)) places.workspaceSettings = readFileSync(wsSettings, 'utf8');
    for (const [where, text] of Object.entries(places)) {
      for (const s of secrets) assert.ok(!text.includes(s), `a token appears in ${where}`);
    }
    assert.ok(places.log.length > 100, 'the log has content to search');
  });

  it('Import Token from Environment… stores CLOUDFLARE_API_TOKEN once the modal is confirmed', async () => {
    const a = await api();
    // The extension host is this very process: its environment is the one VS Code was started with.
    const saved = [process.env.CLOUDFLARE_API_TOKEN, process.env.CLOUDFLARE_ACCOUNT_ID] as const;
    process.env.CLOUDFLARE_API_TOKEN = write();
    process.env.CLOUDFLARE_ACCOUNT_ID = env('CFWF_GATEWAY_ACCOUNT');
    try {
      // The workbench refuses modal dialogs while extension tests run ("DialogService: refused to show
      // dialog in tests"), so the modal is answered through the prompt hook; the UI suite clicks real ones.
      const { result: added, prompts } = await answering(confirmWith('Import'), () => vscode.commands.executeCommand<CloudConnection[] | undefined>('cloudflareWorkflows.importEnvToken'));
      assert.equal(modals(prompts).filter((p) => /CLOUDFLARE_API_TOKEN/.test(p.message)).length, 1, 'asked first, in a modal');
      assert.deepEqual(added?.map((c) => c.accountId), [env('CFWF_GATEWAY_ACCOUNT')]);
      assert.equal(await a.registry.cloud.getToken(conn.id), write(), 'the token from the environment is stored');
    } finally {
      for (const [k, v] of [['CLOUDFLARE_API_TOKEN', saved[0]], ['CLOUDFLARE_ACCOUNT_ID', saved[1]]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('removes the connection and deletes its secret', async () => {
    const a = await api();
    await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', conn.id));
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', undefined, vscode.ConfigurationTarget.Global);
    assert.equal(await a.registry.cloud.getToken(conn.id), undefined);
    assert.ok(!a.registry.connections().some((c) => c.id === conn.id));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
