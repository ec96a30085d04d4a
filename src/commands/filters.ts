// Filters: statuses and a date range per workflow (shown on the item), a workflow name search per
// connection, and "Go to Instance…" by id.
import * as vscode from 'vscode';
import { forQuickPickTitle } from '../model/display';
import { STATUS_LABELS } from '../model/status';
import { INSTANCE_STATUSES, type KnownStatus } from '../model/types';
import type { WorkflowNode } from '../tree/nodes';
import { backendFor, type CommandContext, connectionLabel, must, ownNode, resolveWorkflow } from './context';
import { revealInstance } from './createInstance';

function workflowNode(ctx: CommandContext, arg: unknown): WorkflowNode | undefined {
  return ownNode(ctx, arg, 'workflow');
}

/** A filter passed by a caller (tests, the palette), kept to known statuses and real dates. */
function readFilter(arg: unknown): { statuses?: KnownStatus[]; dateStart?: string; dateEnd?: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as { statuses?: unknown; dateStart?: unknown; dateEnd?: unknown };
  const date = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined);
  const statuses = Array.isArray(a.statuses) ? INSTANCE_STATUSES.filter((s) => (a.statuses as unknown[]).includes(s)) : undefined;
  const out = { statuses: statuses?.length ? statuses : undefined, dateStart: date(a.dateStart), dateEnd: date(a.dateEnd) };
  return out.statuses || out.dateStart || out.dateEnd ? out : undefined;
}

export async function filterWorkflow(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { connection, workflow } = await resolveWorkflow(ctx, args[0]);
  const node = workflowNode(ctx, args[0]) ?? ctx.tree.connectionNodes().find((c) => c.connection.id === connection.id)?.workflows?.find((w) => w.name === workflow);
  if (!node) throw new Error(`Expand ${connection.label} in the Workflows view first.`);
  const given = readFilter(args[1]);
  if (given) {
    node.filter = given;
  } else {
    const picks = must(await vscode.window.showQuickPick(
      INSTANCE_STATUSES.map((s) => ({ label: STATUS_LABELS[s], status: s, picked: node.filter.statuses?.includes(s) ?? false })),
      { title: forQuickPickTitle(`Filter ${workflow}: statuses (none = all)`), canPickMany: true },
    ));
    node.filter = { statuses: picks.length ? picks.map((p) => p.status) : undefined };
    const backend = await backendFor(ctx, connection.id);
    if (backend.capabilities.dateFilter) {
      const range = must(await vscode.window.showInputBox({ title: forQuickPickTitle(`Filter ${workflow}: date range (UTC)`), prompt: 'e.g. "2026-11-01..2026-11-29"; empty for any date', validateInput: (v) => (v === '' || /^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$/.test(v) ? undefined : 'Use YYYY-MM-DD..YYYY-MM-DD') }));
      const [a, b] = range.split('..');
      if (a) node.filter.dateStart = `${a}T00:00:00Z`;
      if (b) node.filter.dateEnd = `${b}T23:59:59Z`;
    }
  }
  await ctx.tree.refresh(node);
}

export async function clearFilter(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const node = workflowNode(ctx, args[0]);
  if (node) {
    node.filter = {};
    await ctx.tree.refresh(node);
    return;
  }
  for (const c of ctx.tree.connectionNodes()) {
    c.search = undefined;
    for (const w of c.workflows ?? []) w.filter = {};
  }
  await ctx.tree.refresh();
}

export async function searchWorkflows(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const n = ownNode(ctx, args[0], 'connection');
  const roots = n ? [n] : ctx.tree.connectionNodes();
  const text = typeof args[1] === 'string' ? args[1] : must(await vscode.window.showInputBox({ title: 'Search workflows by name', value: roots[0]?.search ?? '' }));
  for (const r of roots) {
    r.search = text.trim() || undefined;
    ctx.tree.fire(r);
  }
}

export async function goToInstance(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { connection, workflow } = await resolveWorkflow(ctx, args[0]);
  // Cron-created IDs break the create pattern, so only the length is checked here.
  const id = typeof args[1] === 'string' ? args[1] : must(await vscode.window.showInputBox({ title: forQuickPickTitle(`Go to an instance of ${workflow}`), prompt: 'Instance ID', validateInput: (v) => (v.length > 271 ? 'Too long for an instance ID.' : v ? undefined : 'Enter an ID.') }));
  const details = await (await backendFor(ctx, connection.id)).getInstance(workflow, id, { simple: true });
  await revealInstance(ctx, connection.id, workflow, id, details.status).catch(() => undefined);
  await ctx.panels.open({ connectionId: connection.id, connectionLabel: connectionLabel(ctx, connection.id), workflow, id });
}
