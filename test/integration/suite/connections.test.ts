// Connections in the real host: local sessions from discovery and from the setting, cloud accounts
// through the production-shaped gateway (in front of the same engine), read-only tokens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, engineUrl, isKind } from '../helpers';
import { answering, confirmWith, modals } from '../prompts';
import type { ConnectionNode } from '../../../src/tree/nodes';

describe('Connections', () => {
  it('adds a local session from the localUrls setting', async () => {
    const a = await api();
    const alias = engineUrl().replace('127.0.0.1', 'localhost');
    // The URL is typed by the user; a loopback one needs no consent.
    const { prompts } = await answering((p) => (p.kind === 'inputBox' ? alias : undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.connectLocal', 'http://attacker.example:8787'));
    assert.deepEqual(modals(prompts), [], 'no consent asked for a loopback URL');
    try {
      await a.registry.refreshLocal();
      const c = a.registry.connections().find((x) => x.kind === 'local' && x.baseUrl === alias);
      assert.ok(c, 'connected by URL');
      assert.equal(c.kind === 'local' && c.source, 'setting');
      const roots = (await a.tree.getChildren()) as ConnectionNode[];
      const node = roots.find((r) => r.connection.id === c.id);
      assert.ok(node);
      const workflows = (await a.tree.getChildren(node)).filter(isKind('workflow'));
      assert.ok(workflows.length >= 5);
    } finally {
      await vscode.workspace.getConfiguration('cloudflareWorkflows').update('localUrls', undefined, vscode.ConfigurationTarget.Global);
      await a.registry.refreshLocal();
    }
  });

  it('asks once before connecting to a non-loopback URL, and remembers the answer', async () => {
    const a = await api();
    const remote = 'http://192.0.2.10:8787'; // TEST-NET-1: never answers
    const cfg = () => vscode.workspace.getConfiguration('cloudflareWorkflows');
    const typed = (button: string | undefined) => (p: { kind: string; modal: boolean }) => (p.kind === 'inputBox' ? remote : p.modal ? button : undefined);
    try {
      const refused = await answering(typed(undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.connectLocal'));
      assert.equal(modals(refused.prompts).length, 1, 'asked before leaving the machine');
      assert.ok(!(cfg().get<string[]>('localUrls') ?? []).includes(remote), 'a dismissed question adds nothing');
      const agreed = await answering(typed('Connect'), () => vscode.commands.executeCommand('cloudflareWorkflows.connectLocal'));
      assert.equal(modals(agreed.prompts).length, 1);
      assert.ok((cfg().get<string[]>('localUrls') ?? []).includes(remote), 'added once agreed');
      const again = await answering(typed(undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.connectLocal'));
      assert.equal(modals(again.prompts).length, 0, 'the consent is remembered');
      assert.equal(cfg().inspect('localUrls')?.workspaceValue, undefined, 'kept out of the workspace settings');
    } finally {
      await cfg().update('localUrls', undefined, vscode.ConfigurationTarget.Global);
      await a.registry.refreshLocal();
    }
  });

  it('keeps a token in SecretStorage only: stored, read back, deleted with its connection', async () => {
    const a = await api();
    const token = 'cfwf-secret-token-0123456789abcdef';
    await a.registry.cloud.add({ id: 'cloud:test-secret', label: 'Secret test', accountId: 'test-secret' }, token);
    assert.equal(await a.registry.cloud.getToken('cloud:test-secret'), token);
    assert.ok(!JSON.stringify(a.registry.cloud.list()).includes(token), 'not in globalState');
    const { prompts } = await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', 'cloud:test-secret', true));
    assert.equal(modals(prompts).length, 1, 'removal is confirmed in a modal dialog even when the arguments say true');
    assert.equal(await a.registry.cloud.getToken('cloud:test-secret'), undefined, 'secret deleted');
    assert.ok(!a.registry.connections().some((c) => c.id === 'cloud:test-secret'));
  });
});
