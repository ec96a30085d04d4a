// Sign-in paths in the real host, through the production-shaped gateway: an account-owned API token,
// which /user/tokens/verify refuses, is verified with /accounts/{id}/tokens/verify for the account id
// the user types, and the connection says which kind of credential it holds (tooltip, stored state),
// with the token only in SecretStorage. Workflow Details shows what the engine reports.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CloudConnection } from '../../../src/connections/types';
import type { ConnectionNode } from '../../../src/tree/nodes';
import { api, isKind, truth } from '../helpers';
import { answering, confirmWith } from '../prompts';

const env = (k: string) => {
  const v = process.env[k];
  assert.ok(v, `${k} is set by the runner`);
  return v;
};

describe('Sign-in paths (through the gateway)', () => {
  it("offers the account ids from CLOUDFLARE_ACCOUNT_ID and the workspace's wrangler config, and verifies the one picked", async () => {
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const token = env('CFWF_GATEWAY_ACCOUNT_TOKEN');
    const account = env('CFWF_GATEWAY_ACCOUNT');
    const other = 'fedcba9876543210fedcba9876543210';
    assert.notEqual(other, account);
    // The environment names another account; the project's wrangler config names the token's own.
    const [config] = await vscode.workspace.findFiles('wrangler.jsonc');
    assert.ok(config, "the fixture workspace's wrangler.jsonc");
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(original.replace('"name": "workflows-fixture",', `"name": "workflows-fixture",\n  "account_id": "${account}",`)));
    const envBefore = process.env.CLOUDFLARE_ACCOUNT_ID;
    process.env.CLOUDFLARE_ACCOUNT_ID = other;
    let added: CloudConnection[] = [];
    try {
      const run = await answering((p) => {
        if (p.kind === 'inputBox' && /API token/.test(p.message)) return token;
        if (p.kind === 'quickPick' && /which account does it belong to/.test(p.message)) return account;
        return undefined;
      }, () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount'));
      added = run.result;
      const pick = run.prompts.find((p) => p.kind === 'quickPick' && /which account does it belong to/.test(p.message));
      assert.ok(pick, `the account ids were offered (${JSON.stringify(run.prompts.map((p) => p.message))})`);
      assert.deepEqual(pick.choices, [other, account, '$(edit) Type an account ID…'], 'the environment first, then the config, then typing one');
      assert.ok(!run.prompts.some((p) => p.kind === 'inputBox' && /account ID/.test(p.message)), 'nothing typed');
      assert.equal(added.length, 1);
      assert.equal(added[0].accountId, account);
      assert.equal(added[0].credential, 'accountToken');
    } finally {
      if (envBefore === undefined) delete process.env.CLOUDFLARE_ACCOUNT_ID;
      else process.env.CLOUDFLARE_ACCOUNT_ID = envBefore;
      await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(original));
      for (const c of added) await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', c.id));
    }
  });

  it('adds an account-owned token: user verify refuses it, the typed account id is verified, the tooltip says "account-owned"', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const token = env('CFWF_GATEWAY_ACCOUNT_TOKEN');
    const account = env('CFWF_GATEWAY_ACCOUNT');
    const { result: added, prompts } = await answering((p) => {
      if (p.kind === 'inputBox' && /API token/.test(p.message)) return token;
      if (p.kind === 'quickPick' && /which account does it belong to/.test(p.message)) return '$(edit) Type an account ID…';
      if (p.kind === 'inputBox' && /account ID/.test(p.message)) return account;
      return undefined;
    }, () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount'));
    try {
      assert.ok(prompts.some((p) => p.kind === 'inputBox' && /account ID/.test(p.message)), 'the account id was asked for after the user endpoint refused the token');
      assert.equal(added.length, 1);
      const conn = added[0];
      assert.equal(conn.accountId, account);
      assert.equal(conn.credential, 'accountToken');
      assert.equal(conn.verifiedWith, 'account');
      assert.equal(await a.registry.cloud.getToken(conn.id), token);
      const root = ((await a.tree.getChildren()) as ConnectionNode[]).find((n) => n.kind === 'connection' && n.connection.id === conn.id);
      assert.ok(root);
      assert.match(String(a.tree.getTreeItem(root).tooltip), /Signed in with: account-owned API token/);
      // Diagnose Connection names the credential kind and the verify endpoint that answered.
      const report = await vscode.commands.executeCommand<string>('cloudflareWorkflows.diagnoseConnection', conn.id, 'quiet');
      assert.match(report, new RegExp(`\\| Token \\| ok \\| account-owned API token; status: active; verified by /accounts/${account}/tokens/verify \\|`));
      // The account token reads Workflows like any other.
      const workflows = (await a.tree.getChildren(root)).filter(isKind('workflow'));
      assert.deepEqual(workflows.map((w) => w.name).sort(), (await truth().listWorkflows()).map((w) => w.name).sort());

      // Workflow Details: the engine's class and script, the gateway's one version.
      await vscode.commands.executeCommand('cloudflareWorkflows.showWorkflowDetails', workflows.find((w) => w.name === 'long-sleeper'));
      const doc = vscode.window.activeTextEditor?.document;
      assert.ok(doc && doc.uri.scheme === 'cfwf-workflow', `details document open, got ${doc?.uri.toString()}`);
      const text = doc.getText();
      const d = await truth().getWorkflow('long-sleeper');
      assert.match(text, new RegExp(`Class\\s+${d.className}`));
      assert.match(text, /Versions \(newest first\)\n {2}[0-9a-f-]{36}/);
      assert.match(text, new RegExp(`Script\\s+${d.scriptName}`));
      // What the gateway reports beyond the engine: created/modified, never triggered, no cron schedule.
      assert.match(text, /Created\s+2026-01-01T00:00:00Z \(/);
      assert.match(text, /Modified\s+2026-01-01T00:00:00Z \(/);
      assert.match(text, /Last triggered\s+never/);
      assert.match(text, /Cron schedules\n {2}none/);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

      // bulk-import has a schedule in the fixture's wrangler config ("0 3 * * *", as deployed): its
      // details and its tooltip in the tree show it with the next run, 03:00 UTC today or tomorrow.
      const next = new Date();
      next.setUTCHours(3, 0, 0, 0);
      if (next.getTime() <= Date.now()) next.setUTCDate(next.getUTCDate() + 1);
      const nextIso = next.toISOString();
      const bulk = workflows.find((w) => w.name === 'bulk-import');
      assert.ok(bulk);
      await vscode.commands.executeCommand('cloudflareWorkflows.showWorkflowDetails', bulk);
      const bulkText = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert.ok(bulkText.includes(`Cron schedules\n  0 3 * * * — next run ${nextIso} (`), `the schedule and its next run (${nextIso}) in:\n${bulkText}`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      assert.ok(String(a.tree.getTreeItem(bulk).tooltip).includes(`Cron 0 3 * * * — next run ${new Date(nextIso).toLocaleString()}`), String(a.tree.getTreeItem(bulk).tooltip));
    } finally {
      for (const c of added ?? []) await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', c.id));
    }
  });
});
