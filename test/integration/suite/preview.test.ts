// The preview panel in the real host: a click shows the instance in one reusable panel whose webview
// stays loaded, a double-click or "Keep Open" gives it a panel of its own, and moving the tree's
// selection moves an open preview along.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostToWebview, PanelTarget } from '../../../src/webview/protocol';
import { PREVIEW_TITLE_PREFIX } from '../../../src/webview/instancePanel';
import { api, instanceNode, localConnectionId, waitFor } from '../helpers';

type InstanceMsg = Extract<HostToWebview, { type: 'instance' }>;

async function shown(target: PanelTarget): Promise<InstanceMsg> {
  const a = await api();
  return waitFor(`panel shows ${target.id}`, async () => {
    const m = a.panels.manager.lastPosted(target);
    return m?.type === 'instance' && m.details.id === target.id ? m : undefined;
  });
}

function activeTabLabel(): string | undefined {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.label;
}

describe('Instance preview', () => {
  let conn: string;
  let complete: PanelTarget;
  let errored: PanelTarget;
  before(async () => {
    conn = await localConnectionId();
    complete = { connectionId: conn, connectionLabel: 'Local', workflow: 'order-pipeline', id: 'order-complete' };
    errored = { connectionId: conn, connectionLabel: 'Local', workflow: 'flaky-payments', id: 'payment-errored' };
  });
  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const a = await api();
    await waitFor('no panels left', async () => a.panels.manager.panels().length === 0);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a click shows the instance in one preview panel that the next click reuses without reloading its webview', async () => {
    const a = await api();
    const readies: string[] = [];
    const sub = a.panels.manager.onDidReceive((r) => r.message.type === 'ready' && readies.push(r.target.id));
    try {
      await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('order-pipeline', 'complete', 'order-complete'));
      await shown(complete);
      // The title reaches the workbench asynchronously.
      await waitFor('the title says it is a preview', async () => activeTabLabel() === `${PREVIEW_TITLE_PREFIX}order-complete`);
      assert.deepEqual(readies, ['order-complete'], 'the preview webview loaded once');
      // Wait past the double-click window so the next click is a click of its own.
      await new Promise((r) => setTimeout(r, 600));
      await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('flaky-payments', 'errored', 'payment-errored'));
      const m = await shown(errored);
      assert.equal(m.details.status, 'errored');
      assert.deepEqual(a.panels.manager.panels().map((t) => t.id), ['payment-errored'], 'one panel, now showing the second instance');
      assert.deepEqual(a.panels.manager.pinned(), []);
      await waitFor('the preview title follows the instance', async () => activeTabLabel() === `${PREVIEW_TITLE_PREFIX}payment-errored`);
      assert.deepEqual(readies, ['order-complete'], 'no second webview load: the loaded page got new data');
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
      assert.equal(tabs.length, 1, 'one webview tab');
    } finally {
      sub.dispose();
    }
  });

  it('a double-click keeps the instance open in a panel of its own; the next click opens a new preview beside it', async () => {
    const a = await api();
    const node = await instanceNode('order-pipeline', 'complete', 'order-complete');
    // The tree runs the item's command once per click of a double-click.
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', node);
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', node);
    await shown(complete);
    assert.deepEqual(a.panels.manager.pinned().map((t) => t.id), ['order-complete']);
    assert.equal(a.panels.manager.previewTarget(), undefined);
    await waitFor('a kept panel has no "Preview:" marker', async () => activeTabLabel() === 'order-complete');
    await new Promise((r) => setTimeout(r, 600));
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('flaky-payments', 'errored', 'payment-errored'));
    await shown(errored);
    assert.equal(a.panels.manager.previewTarget()?.id, 'payment-errored');
    assert.deepEqual(a.panels.manager.pinned().map((t) => t.id), ['order-complete'], 'the kept panel stays');
  });

  it('"Keep Instance Open" turns the preview into a panel of its own', async () => {
    const a = await api();
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('flaky-payments', 'errored', 'payment-errored'));
    await shown(errored);
    await vscode.commands.executeCommand('cloudflareWorkflows.keepInstanceOpen');
    assert.equal(a.panels.manager.previewTarget(), undefined);
    assert.deepEqual(a.panels.manager.pinned().map((t) => t.id), ['payment-errored']);
    await waitFor('title without the preview marker', async () => activeTabLabel() === 'payment-errored');
  });

  it('moving the selection in the tree (as the arrow keys do) moves an open preview along', async () => {
    const a = await api();
    const first = await instanceNode('order-pipeline', 'complete', 'order-complete');
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', first);
    await shown(complete);
    const next = await instanceNode('flaky-payments', 'errored', 'payment-errored');
    await a.view.reveal(next, { select: true, focus: true });
    const m = await shown(errored);
    assert.equal(m.details.id, 'payment-errored');
    assert.deepEqual(a.panels.manager.panels().map((t) => t.id), ['payment-errored'], 'still the one preview panel');
  });

  it('without a preview open, selecting in the tree opens nothing', async () => {
    const a = await api();
    await a.view.reveal(await instanceNode('flaky-payments', 'errored', 'payment-errored'), { select: true, focus: true });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(a.panels.manager.panels(), []);
  });

  it('a revisit paints the remembered details at once, then refreshes behind', async () => {
    const a = await api();
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('order-pipeline', 'complete', 'order-complete'));
    await shown(complete);
    await new Promise((r) => setTimeout(r, 600));
    await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('flaky-payments', 'errored', 'payment-errored'));
    await shown(errored);
    const posted: HostToWebview[] = [];
    const sub = a.panels.manager.onDidPost((p) => p.target.id === 'order-complete' && posted.push(p.message));
    try {
      await new Promise((r) => setTimeout(r, 600));
      // Synchronously after the click, before any request could return: init and the remembered instance.
      await vscode.commands.executeCommand('cloudflareWorkflows.previewInstance', await instanceNode('order-pipeline', 'complete', 'order-complete'));
      const beforeFetch = posted.map((m) => m.type);
      assert.deepEqual(beforeFetch.slice(0, 2), ['init', 'instance'], `painted from memory first (got ${beforeFetch.join(', ')})`);
      await waitFor('fresh details behind', async () => posted.filter((m) => m.type === 'instance').length >= 2);
    } finally {
      sub.dispose();
    }
  });
});
