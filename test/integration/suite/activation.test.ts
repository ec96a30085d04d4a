import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, waitFor } from '../helpers';

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
    const a = await api();
    await vscode.commands.executeCommand('cloudflareWorkflows.tree.focus');
    // TreeView.visible changes when the workbench reports the rendered view to the extension host, a
    // message that can arrive after the focus command has resolved (seen once in ten rounds): wait for it.
    await waitFor('the Workflows view is visible', async () => a.view.visible, 10_000);
  });
});
