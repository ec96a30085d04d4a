import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from '../helpers';

describe('Activation', () => {
  it('activates in the real host and returns its API', async () => {
    const a = await api();
    assert.ok(a.registry && a.tree && a.view, 'API exposes the registry, the tree and the view');
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.ok(a.activationMs < 1000, `activate() took ${a.activationMs} ms`);
  });

  it('contributes the Workflows view container and view', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'cloudflareWorkflows');
    assert.equal(pkg.contributes.views.cloudflareWorkflows[0].id, 'cloudflareWorkflows.tree');
    await vscode.commands.executeCommand('cloudflareWorkflows.tree.focus');
    const a = await api();
    assert.equal(a.view.visible, true);
  });
});
