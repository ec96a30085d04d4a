// What every command gets: the registry, the tree, the panels, the log, and helpers that turn the
// arguments of a tree click, a multi-selection, a webview button or a palette run into instances.
import * as vscode from 'vscode';
import { assertWorkflowName, type WorkflowsBackend } from '../api';
import type { ConnectionRegistry } from '../connections/registry';
import type { Connection } from '../connections/types';
import type { Log } from '../log';
import { STATUS_LABELS } from '../model/status';
import { forQuickPickDescription, forQuickPickDetail, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import type { InstanceStatus } from '../model/types';
import type { InstanceNode, InstanceRef, TreeNode, WaitingInstanceNode } from '../tree/nodes';
import type { WorkflowsTreeProvider } from '../tree/provider';
import type { StepInsights } from '../source/stepInsights';
import type { WorkspaceIndex } from '../source/workspaceIndex';
import type { WorkflowsService } from '../service/workflowsService';
import { QuickSteps } from './steps';
import type { WatchManager } from './watch';
import type { CommandRecord } from './wrapper';

export interface InstancePanels {
  open(target: InstanceRef & { connectionLabel: string }, opts?: { selectStep?: string }): Promise<void> | void;
  refresh(target: InstanceRef): void;
  /** A click in the tree: the reusable preview; a double-click gives the instance a panel of its own. */
  click(target: InstanceRef & { connectionLabel: string }): void;
  /** Keeps the preview open as a panel of its own; undefined when no preview is open. */
  keepOpen(): InstanceRef | undefined;
}

export interface CommandContext {
  /** This run's quick inputs (see steps.ts): one per command invocation. */
  steps: QuickSteps;
  ext: vscode.ExtensionContext;
  registry: ConnectionRegistry;
  /** Where every read and write of an instance goes (shared with the webview). */
  service: WorkflowsService;
  /** This activation's registered ids and reported failures. */
  commands: CommandRecord;
  tree: WorkflowsTreeProvider;
  view: vscode.TreeView<TreeNode>;
  log: Log;
  panels: InstancePanels;
  watches: WatchManager;
  source: { index: WorkspaceIndex; insights: StepInsights };
}

/** What every run shares; each run adds its own `steps`. */
export type SharedContext = Omit<CommandContext, 'steps'>;

/** Runs `fn` with its own quick-input steps, closed when it ends however it ends. */
export async function withSteps<T>(shared: SharedContext, fn: (ctx: CommandContext) => T | Promise<T>): Promise<T> {
  const steps = new QuickSteps();
  try {
    return await fn({ ...shared, steps });
  } finally {
    steps.dispose();
  }
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

/**
 * A command's arguments come from anyone (a `command:` link, another extension), so a tree node or a
 * reference is read only for its names: the connection is looked up in the registry (never taken
 * from the argument, which could carry another base URL) and the names are checked before use.
 */
function checkedRef(ctx: CommandContext, connectionId: string, workflow: string, id: string): InstanceRef {
  return ctx.service.checkRef({ connectionId, workflow, id });
}

function existing(ctx: CommandContext, connectionId: string): Connection {
  return ctx.service.connection(connectionId);
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
  if (Array.isArray(second) && second.length > 0 && second.every((n) => isNode(n, 'instance') || isNode(n, 'waitingInstance'))) {
    return (second as (InstanceNode | WaitingInstanceNode)[]).map((n) => (n.kind === 'waitingInstance' ? fromWaitingNode(ctx, n) : fromNode(ctx, n)));
  }
  if (isNode(first, 'instance')) return [fromNode(ctx, first as InstanceNode)];
  if (isNode(first, 'waitingInstance')) return [fromWaitingNode(ctx, first as WaitingInstanceNode)];
  if (isInstanceRef(first)) return [checkedRef(ctx, first.connectionId, first.workflow, first.id)];
  return [await pickInstance(ctx, filter)];
}

function fromNode(ctx: CommandContext, n: InstanceNode): InstanceTarget {
  // Read defensively: an object that only looks like a tree item is a bad reference, not a crash.
  const connectionId: unknown = n.parent?.parent?.parent?.connection?.id;
  const workflow: unknown = n.parent?.parent?.name;
  const id: unknown = n.instance?.id;
  if (typeof connectionId !== 'string' || typeof workflow !== 'string' || typeof id !== 'string') throw new Error('The command was given an incomplete instance reference.');
  const status = n.instance.status;
  return { ...checkedRef(ctx, connectionId, workflow, id), ...(typeof status === 'string' ? { status } : {}) };
}

/** An instance under "Waiting for events": only its names are read, as for any node. */
function fromWaitingNode(ctx: CommandContext, n: WaitingInstanceNode): InstanceTarget {
  const connectionId: unknown = n.connectionId;
  const workflow: unknown = n.entry?.workflow;
  const id: unknown = n.entry?.id;
  if (typeof connectionId !== 'string' || typeof workflow !== 'string' || typeof id !== 'string') throw new Error('The command was given an incomplete instance reference.');
  return { ...checkedRef(ctx, connectionId, workflow, id), status: ctx.registry.get(connectionId)?.kind === 'cloud' ? 'waiting' : 'running' };
}

/** The connection id a tree node or a reference names, read without trusting the rest of it. */
function connectionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const n = arg as TreeNode & { connectionId?: unknown };
  if (typeof n.connectionId === 'string') return n.connectionId;
  const id = n.kind === 'connection' ? n.connection?.id : n.kind === 'workflow' ? n.parent?.connection?.id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The tree's own node (the very object it handed out) of that kind, or undefined: commands that act on
 * tree state (filters, paging, refresh) ignore look-alike objects from other callers.
 */
export function ownNode<K extends 'connection' | 'workflow' | 'group'>(ctx: CommandContext, arg: unknown, kind: K): Extract<TreeNode, { kind: K }> | undefined {
  if (typeof arg !== 'object' || arg === null || (arg as TreeNode).kind !== kind) return undefined;
  for (const root of ctx.tree.connectionNodes()) {
    if (root === arg) return arg as Extract<TreeNode, { kind: K }>;
    for (const w of root.workflows ?? []) {
      if (w === arg) return arg as Extract<TreeNode, { kind: K }>;
      for (const g of w.groups.values()) if (g === arg) return arg as Extract<TreeNode, { kind: K }>;
    }
  }
  return undefined;
}

export async function resolveConnection(ctx: CommandContext, arg: unknown): Promise<Connection> {
  const id = connectionIdOf(arg);
  if (id !== undefined) return existing(ctx, id);
  return pickConnection(ctx);
}

export async function resolveWorkflow(ctx: CommandContext, arg: unknown): Promise<{ connection: Connection; workflow: string }> {
  const n = arg as TreeNode | undefined;
  const named =
    n?.kind === 'workflow' ? { connectionId: n.parent?.connection?.id, workflow: n.name } :
    n?.kind === 'group' ? { connectionId: n.parent?.parent?.connection?.id, workflow: n.parent?.name } :
    n?.kind === 'instance' ? { connectionId: n.parent?.parent?.parent?.connection?.id, workflow: n.parent?.parent?.name } :
    n?.kind === 'waitingInstance' ? { connectionId: n.connectionId, workflow: n.entry?.workflow } :
    typeof arg === 'object' && arg !== null && 'workflow' in arg ? (arg as { connectionId?: unknown; workflow?: unknown }) :
    undefined;
  if (named) {
    if (typeof named.connectionId !== 'string' || typeof named.workflow !== 'string') throw new Error('The command was given an incomplete workflow reference.');
    const connection = existing(ctx, named.connectionId);
    assertWorkflowName(named.workflow);
    return { connection, workflow: named.workflow };
  }
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
  const pick = await ctx.steps.pick({
    title: 'Cloudflare Workflows: Connection',
    placeholder: 'Pick a connection',
    items: all.map((c) => ({ label: forQuickPickLabel(c.label), description: forQuickPickDescription(c.kind === 'local' ? c.baseUrl : c.accountId), connection: c })),
  });
  return must(pick).connection;
}

export async function pickWorkflow(ctx: CommandContext, connection: Connection): Promise<string> {
  const backend = await ctx.registry.backend(connection.id);
  const workflows = await backend.listWorkflows();
  if (workflows.length === 1) return workflows[0].name;
  const pick = await ctx.steps.pick({
    title: forQuickPickTitle(`Workflows in ${connection.label}`),
    placeholder: 'Pick a workflow',
    items: workflows.map((w) => ({ label: forQuickPickLabel(w.name), description: forQuickPickDescription(w.className), name: w.name })),
  });
  return must(pick).name;
}

export async function pickInstance(ctx: CommandContext, filter?: (s: InstanceStatus) => boolean): Promise<InstanceTarget> {
  const { connection, workflow } = await resolveWorkflow(ctx, undefined);
  const backend = await ctx.registry.backend(connection.id);
  const picked = await ctx.steps.pick<vscode.QuickPickItem & { target: InstanceTarget }>({
    title: forQuickPickTitle(`Instances of ${workflow}`),
    placeholder: 'Pick an instance, or type an instance ID',
    items: async () => {
      const page = await backend.listInstances(workflow, { perPage: 100 });
      return page.instances
        .filter((i) => !filter || filter(i.status))
        .map((i) => ({ label: forQuickPickLabel(i.id), description: forQuickPickDescription(STATUS_LABELS[i.status] ?? i.status), detail: forQuickPickDetail(i.createdOn), target: { connectionId: connection.id, workflow, id: i.id, status: i.status } }));
    },
    typed: (id) => ({ label: id, target: { connectionId: connection.id, workflow, id } }),
  });
  return must(picked).target;
}

export async function backendFor(ctx: CommandContext, connectionId: string): Promise<WorkflowsBackend> {
  return ctx.registry.backend(connectionId);
}

export function connectionLabel(ctx: CommandContext, connectionId: string): string {
  return ctx.registry.get(connectionId)?.label ?? connectionId;
}
