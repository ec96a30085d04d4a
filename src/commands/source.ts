// Between code and runtime: reveal a workflow's class from the tree, reveal a workflow in the tree
// from its class, pick which connection the step statistics read from.
import * as vscode from 'vscode';
import { splitStepName } from '../model/status';
import type { InstanceDetails } from '../model/types';
import type { StepInsights } from '../source/stepInsights';
import type { WorkspaceIndex } from '../source/workspaceIndex';
import { type CommandContext, resolveWorkflow } from './context';

/**
 * The `type` of the waitForEvent call an instance is blocked in, read from the workspace source
 * (the local engine does not report it).
 */
export async function eventTypeFromSource(index: WorkspaceIndex, workflow: string, details: InstanceDetails): Promise<string | undefined> {
  const open = details.steps.find((s) => s.type === 'waitForEvent' && !s.end);
  if (!open?.name) return undefined;
  await index.ensure();
  return index.findStep(workflow, splitStepName(open.name).base)?.call.eventType;
}

export async function revealWorkflowClass(ctx: CommandContext, index: WorkspaceIndex, ...args: unknown[]): Promise<vscode.TextEditor> {
  const { workflow } = await resolveWorkflow(ctx, args[0]);
  await index.ensure();
  const c = index.classFor(workflow);
  if (!c) throw new Error(`No class for "${workflow}" was found: check "class_name" in the wrangler config and that the class extends WorkflowEntrypoint.`);
  const pos = new vscode.Position(c.line, c.character);
  return vscode.window.showTextDocument(c.uri, { selection: new vscode.Range(pos, pos) });
}

export async function revealWorkflow(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { connection, workflow } = await resolveWorkflow(ctx, args[0]);
  await vscode.commands.executeCommand('cloudflareWorkflows.tree.focus');
  const roots = ctx.tree.connectionNodes().length ? ctx.tree.connectionNodes() : await ctx.tree.getChildren();
  const root = roots.find((r) => r.kind === 'connection' && r.connection.id === connection.id);
  if (!root || root.kind !== 'connection') return;
  await ctx.tree.getChildren(root);
  const node = root.workflows?.find((w) => w.name === workflow);
  if (node) await ctx.view.reveal(node, { select: true, focus: true, expand: true });
}

export function registerSourceCommands(reg: (id: string, fn: (ctx: CommandContext, ...args: unknown[]) => unknown) => void, index: WorkspaceIndex, insights: StepInsights): void {
  reg('revealWorkflowClass', (c, ...a) => revealWorkflowClass(c, index, ...a));
  reg('revealWorkflow', revealWorkflow);
  // Only an id naming an existing connection is taken from the arguments; anything else asks.
  reg('pickSourceConnection', (c, id) => insights.pickConnection(typeof id === 'string' && c.registry.get(id) ? id : undefined));
  reg('refreshStepStatistics', () => insights.invalidate());
}
