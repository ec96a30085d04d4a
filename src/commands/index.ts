// Registers every command through the one wrapper. The ids here and the `contributes.commands` of
// package.json must match exactly: a test compares them.
import * as vscode from 'vscode';
import { forStatusBar } from '../model/display';
import type { GroupNode } from '../tree/nodes';
import { changeStatusCommand } from './changeStatus';
import { signInWithWrangler } from './signInWithWrangler';
import { showWorkflowDetails, WORKFLOW_SCHEME, WorkflowDetailsProvider } from './workflowDetails';
import { addAccount, connectLocal, importEnvToken, removeConnection, renameConnection, updateToken } from './connections';
import { startLocalSession } from './startLocalSession';
import { connectionLabel, type CommandContext, type SharedContext, ownNode, resolveInstances } from './context';
import { createInstancesFromFile } from './createFromFile';
import { createInstance } from './createInstance';
import { createTestFromInstance } from './createTest';
import { deleteInstances } from './deleteInstances';
import { diagnoseConnection } from './diagnose';
import { clearFilter, filterWorkflow, goToInstance, searchWorkflows } from './filters';
import { compareInstances, copyInstanceId, copyInstanceJson, exportInstance, InstanceJsonProvider, JSON_SCHEME, openInDashboard, openInstanceJson, rerunWithSameParams } from './instanceData';
import { sendEvent } from './sendEvent';
import { sendEventToAll } from './sendEventToAll';
import { registerSourceCommands } from './source';
import { registerCommand } from './wrapper';
import { resolveWorkflow } from './context';

function treeGroup(c: CommandContext, arg: unknown): GroupNode {
  const g = ownNode(c, arg, 'group');
  if (!g) throw new Error('This runs from an item in the Workflows view.');
  return g;
}

export function registerCommands(ctx: SharedContext, showLog: () => void): void {
  const reg = (id: string, fn: (ctx: CommandContext, ...args: unknown[]) => unknown) => registerCommand(ctx, `cloudflareWorkflows.${id}`, fn);

  reg('refresh', (c, node) => c.tree.refresh(ownNode(c, node, 'connection') ?? ownNode(c, node, 'workflow') ?? ownNode(c, node, 'group')));
  reg('showLog', () => showLog());

  reg('addAccount', addAccount);
  reg('importEnvToken', importEnvToken);
  reg('signInWithWrangler', signInWithWrangler);
  reg('showWorkflowDetails', showWorkflowDetails);
  reg('renameConnection', renameConnection);
  reg('updateToken', updateToken);
  reg('removeConnection', removeConnection);
  reg('connectLocal', connectLocal);
  reg('startLocalSession', startLocalSession);
  reg('diagnoseConnection', diagnoseConnection);

  reg('createInstance', createInstance);
  reg('createInstancesFromFile', createInstancesFromFile);
  reg('pause', (c, ...a) => changeStatusCommand(c, 'pause')(...a));
  reg('resume', (c, ...a) => changeStatusCommand(c, 'resume')(...a));
  reg('terminate', (c, ...a) => changeStatusCommand(c, 'terminate')(...a));
  reg('restart', (c, ...a) => changeStatusCommand(c, 'restart')(...a));
  reg('sendEvent', sendEvent);
  reg('sendEventToAll', sendEventToAll);
  reg('deleteInstance', deleteInstances);

  reg('openInstance', async (c, ...args) => {
    const [t] = await resolveInstances(c, args);
    const opts = args.find((a): a is { selectStep: string } => typeof a === 'object' && a !== null && typeof (a as { selectStep?: unknown }).selectStep === 'string');
    await c.panels.open({ ...t, connectionLabel: connectionLabel(c, t.connectionId) }, opts ? { selectStep: opts.selectStep } : undefined);
  });
  // The tree item's click: the reusable preview (a double-click keeps it open).
  reg('previewInstance', async (c, ...args) => {
    const [t] = await resolveInstances(c, args);
    c.panels.click({ ...t, connectionLabel: connectionLabel(c, t.connectionId) });
  });
  reg('keepInstanceOpen', (c) => {
    if (!c.panels.keepOpen()) void vscode.window.showInformationMessage('No instance preview is open.');
  });
  reg('goToInstance', goToInstance);
  reg('copyInstanceId', copyInstanceId);
  reg('copyInstanceJson', copyInstanceJson);
  reg('openInDashboard', openInDashboard);
  reg('exportInstance', exportInstance);
  reg('createTestFromInstance', createTestFromInstance);
  reg('openInstanceJson', openInstanceJson);
  reg('rerunWithSameParams', rerunWithSameParams);
  reg('compareInstances', compareInstances);

  reg('watchInstance', async (c, ...args) => {
    for (const t of await resolveInstances(c, args)) await c.watches.add({ kind: 'instance', connectionId: t.connectionId, workflow: t.workflow, id: t.id });
    void vscode.window.setStatusBarMessage('Watching: you will be notified when it completes, errors or retries.', 3000);
  });
  reg('watchWorkflow', async (c, ...args) => {
    const { connection, workflow } = await resolveWorkflow(c, args[0]);
    await c.watches.add({ kind: 'workflowErrors', connectionId: connection.id, workflow });
    void vscode.window.setStatusBarMessage(forStatusBar(`Watching ${workflow} for errors.`, 200), 3000);
  });
  reg('unwatchAll', async (c) => {
    for (const w of c.watches.list()) await c.watches.remove(w);
  });

  reg('filterWorkflow', filterWorkflow);
  reg('clearFilter', clearFilter);
  reg('searchWorkflows', searchWorkflows);

  registerSourceCommands(reg, ctx.source.index, ctx.source.insights);

  // Internal: invoked by tree items, hidden from the palette.
  reg('loadMore', (c, node) => c.tree.loadMore(treeGroup(c, typeof node === 'object' && node !== null ? (node as { parent?: unknown }).parent : undefined)));
  reg('showNewInstances', (c, group) => c.tree.showNew(treeGroup(c, group)));

  ctx.ext.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(JSON_SCHEME, new InstanceJsonProvider(ctx)));
  ctx.ext.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(WORKFLOW_SCHEME, new WorkflowDetailsProvider(ctx)));
}
