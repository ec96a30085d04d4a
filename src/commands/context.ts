// What every command gets: the registry, the tree, the panels, the log, and helpers that turn the
// arguments of a tree click, a multi-selection, a webview button or a palette run into instances.
import * as vscode from 'vscode';
import type { WorkflowsBackend } from '../api';
import type { ConnectionRegistry } from '../connections/registry';
import type { Connection } from '../connections/types';
import type { Log } from '../log';
import { STATUS_LABELS } from '../model/status';
import { forQuickPickDescription, forQuickPickDetail, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import type { InstanceStatus } from '../model/types';
import type { InstanceNode, InstanceRef, TreeNode } from '../tree/nodes';
import { instanceRef } from '../tree/nodes';
import type { WorkflowsTreeProvider } from '../tree/provider';
import type { StepInsights } from '../source/stepInsights';
import type { WorkspaceIndex } from '../source/workspaceIndex';
import type { WatchManager } from './watch';

export interface InstancePanels {
  open(target: InstanceRef & { connectionLabel: string }, opts?: { selectStep?: string }): Promise<void> | void;
  refresh(target: InstanceRef): void;
  /** A click in the tree: the reusable preview; a double-click gives the instance a panel of its own. */
  click(target: InstanceRef & { connectionLabel: string }): void;
  /** Keeps the preview open as a panel of its own; undefined when no preview is open. */
  keepOpen(): InstanceRef | undefined;
}

export interface CommandContext {
  ext: vscode.ExtensionContext;
  registry: ConnectionRegistry;
  tree: WorkflowsTreeProvider;
  view: vscode.TreeView<TreeNode>;
  log: Log;
  panels: InstancePanels;
  watches: WatchManager;
  source: { index: WorkspaceIndex; insights: StepInsights };
}

/** Raised when the user dismisses a prompt: the wrapper ends the command quietly. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

export function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}

export interface InstanceTarget extends InstanceRef {
  status?: InstanceStatus;
}

function isInstanceRef(x: unknown): x is InstanceTarget {
  return typeof x === 'object' && x !== null && typeof (x as InstanceRef).connectionId === 'string' && typeof (x as InstanceRef).workflow === 'string' && typeof (x as InstanceRef).id === 'string';
}

function isNode(x: unknown, kind: TreeNode['kind']): boolean {
  return typeof x === 'object' && x !== null && (x as TreeNode).kind === kind;
}

/**
 * Instances a command acts on: the multi-selection, the clicked item, a reference from the webview
 * or another command, or — from the palette — connection → workflow → instance quick picks.
 */
export async function resolveInstances(ctx: CommandContext, args: unknown[], filter?: (s: InstanceStatus) => boolean): Promise<InstanceTarget[]> {
  const [first, second] = args;
  if (Array.isArray(second) && second.length > 0 && second.every((n) => isNode(n, 'instance'))) {
    return (second as InstanceNode[]).map((n) => ({ ...instanceRef(n), status: n.instance.status }));
  }
  if (isNode(first, 'instance')) {
    const n = first as InstanceNode;
    return [{ ...instanceRef(n), status: n.instance.status }];
  }
  if (isInstanceRef(first)) return [first];
  return [await pickInstance(ctx, filter)];
}

export async function resolveConnection(ctx: CommandContext, arg: unknown): Promise<Connection> {
  const n = arg as TreeNode | undefined;
  if (n?.kind === 'connection') return n.connection;
  if (n?.kind === 'workflow') return n.parent.connection;
  if (typeof arg === 'string') {
    const c = ctx.registry.get(arg);
    if (c) return c;
  }
  return pickConnection(ctx);
}

export async function resolveWorkflow(ctx: CommandContext, arg: unknown): Promise<{ connection: Connection; workflow: string }> {
  const n = arg as TreeNode | undefined;
  if (n?.kind === 'workflow') return { connection: n.parent.connection, workflow: n.name };
  if (n?.kind === 'group') return { connection: n.parent.parent.connection, workflow: n.parent.name };
  if (n?.kind === 'instance') return { connection: n.parent.parent.parent.connection, workflow: n.parent.parent.name };
  if (isInstanceRef(arg)) return { connection: must(ctx.registry.get(arg.connectionId)), workflow: arg.workflow };
  const a = arg as { connectionId?: string; workflow?: string } | undefined;
  if (a && typeof a.connectionId === 'string' && typeof a.workflow === 'string') return { connection: must(ctx.registry.get(a.connectionId)), workflow: a.workflow };
  const connection = await resolveConnection(ctx, arg);
  return { connection, workflow: await pickWorkflow(ctx, connection) };
}

export async function pickConnection(ctx: CommandContext): Promise<Connection> {
  await ctx.registry.refreshLocal();
  const all = ctx.registry.connections();
  if (all.length === 0) {
    const choice = await vscode.window.showWarningMessage('No Cloudflare Workflows connection: start a local dev session or add an account.', 'Start Local Dev Session', 'Add Cloudflare Account…');
    if (choice === 'Start Local Dev Session') await vscode.commands.executeCommand('cloudflareWorkflows.startLocalSession');
    if (choice === 'Add Cloudflare Account…') await vscode.commands.executeCommand('cloudflareWorkflows.addAccount');
    throw new Cancelled();
  }
  if (all.length === 1) return all[0];
  const pick = await vscode.window.showQuickPick(
    all.map((c) => ({ label: forQuickPickLabel(c.label), description: forQuickPickDescription(c.kind === 'local' ? c.baseUrl : c.accountId), connection: c })),
    { title: 'Cloudflare Workflows: Connection', placeHolder: 'Pick a connection' },
  );
  return must(pick).connection;
}

export async function pickWorkflow(ctx: CommandContext, connection: Connection): Promise<string> {
  const backend = await ctx.registry.backend(connection.id);
  const workflows = await backend.listWorkflows();
  if (workflows.length === 1) return workflows[0].name;
  const pick = await vscode.window.showQuickPick(
    workflows.map((w) => ({ label: forQuickPickLabel(w.name), description: forQuickPickDescription(w.className), name: w.name })),
    { title: forQuickPickTitle(`Workflows in ${connection.label}`), placeHolder: 'Pick a workflow' },
  );
  return must(pick).name;
}

export async function pickInstance(ctx: CommandContext, filter?: (s: InstanceStatus) => boolean): Promise<InstanceTarget> {
  const { connection, workflow } = await resolveWorkflow(ctx, undefined);
  const backend = await ctx.registry.backend(connection.id);
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { target?: InstanceTarget }>();
  qp.title = forQuickPickTitle(`Instances of ${workflow}`);
  qp.placeholder = 'Pick an instance, or type an instance ID';
  qp.busy = true;
  qp.show();
  try {
    const page = await backend.listInstances(workflow, { perPage: 100 });
    qp.items = page.instances
      .filter((i) => !filter || filter(i.status))
      .map((i) => ({ label: forQuickPickLabel(i.id), description: forQuickPickDescription(STATUS_LABELS[i.status] ?? i.status), detail: forQuickPickDetail(i.createdOn), target: { connectionId: connection.id, workflow, id: i.id, status: i.status } }));
  } finally {
    qp.busy = false;
  }
  const chosen = await new Promise<InstanceTarget | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const sel = qp.selectedItems[0]?.target;
      const typed = qp.value.trim();
      resolve(sel ?? (typed ? { connectionId: connection.id, workflow, id: typed } : undefined));
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
  });
  qp.dispose();
  return must(chosen);
}

export async function backendFor(ctx: CommandContext, connectionId: string): Promise<WorkflowsBackend> {
  return ctx.registry.backend(connectionId);
}

export function connectionLabel(ctx: CommandContext, connectionId: string): string {
  return ctx.registry.get(connectionId)?.label ?? connectionId;
}
