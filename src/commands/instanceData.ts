// Commands that read an instance: Copy ID, Copy as JSON, Export, Open as JSON (read-only document
// with search, folding and diff), Open in Cloudflare Dashboard, Rerun with Same Params, Compare.
import * as vscode from 'vscode';
import { forStatusBar } from '../model/display';
import { canonicalJson } from '../model/canonical';
import { type CommandContext, type SharedContext, connectionLabel, must, pickInstance, resolveInstances } from './context';

export const JSON_SCHEME = 'cfwf-instance';

/** cfwf-instance:/<workflow>/<id>.json?<connection id>: a read-only view of the canonical JSON. */
export class InstanceJsonProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: SharedContext) {}

  static uri(connectionId: string, workflow: string, id: string): vscode.Uri {
    return vscode.Uri.from({ scheme: JSON_SCHEME, path: `/${workflow}/${id}.json`, query: connectionId });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const m = /^\/([^/]+)\/(.+)\.json$/.exec(uri.path);
    if (!m) throw new Error(`Not an instance URI: ${uri.toString()}`);
    const details = await this.ctx.service.getInstance({ connectionId: uri.query, workflow: m[1], id: m[2] });
    return canonicalJson(details, { withTimes: uri.fragment !== 'canonical' });
  }
}

async function fetchJson(ctx: CommandContext, t: { connectionId: string; workflow: string; id: string }): Promise<string> {
  const details = await ctx.service.getInstance(t);
  return canonicalJson(details, { withTimes: true });
}

export async function copyInstanceId(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const [t] = await resolveInstances(ctx, args);
  await vscode.env.clipboard.writeText(t.id);
  void vscode.window.setStatusBarMessage(forStatusBar(`Copied ${t.id}`, 200), 2000);
}

export async function copyInstanceJson(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const [t] = await resolveInstances(ctx, args);
  await vscode.env.clipboard.writeText(await fetchJson(ctx, t));
  void vscode.window.setStatusBarMessage(forStatusBar(`Copied ${t.id} as JSON`, 200), 2000);
}

export async function exportInstance(ctx: CommandContext, ...args: unknown[]): Promise<vscode.Uri | undefined> {
  const [t] = await resolveInstances(ctx, args);
  const text = await fetchJson(ctx, t);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  // The destination is always the user's pick in the save dialog, never an argument.
  const target = must(await ctx.steps.dialog(() => vscode.window.showSaveDialog({ title: `Export ${t.id}`, defaultUri: folder ? vscode.Uri.joinPath(folder, `${t.workflow}-${t.id}.json`) : undefined, filters: { JSON: ['json'] } })));
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  ctx.log.info(`Exported ${t.workflow}/${t.id} to ${target.fsPath}`);
  return target;
}

export async function openInstanceJson(ctx: CommandContext, ...args: unknown[]): Promise<vscode.TextEditor> {
  const [t] = await resolveInstances(ctx, args);
  const doc = await vscode.workspace.openTextDocument(InstanceJsonProvider.uri(t.connectionId, t.workflow, t.id));
  await vscode.languages.setTextDocumentLanguage(doc, 'json');
  return vscode.window.showTextDocument(doc, { preview: true });
}

export async function openInDashboard(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const [t] = await resolveInstances(ctx, args);
  const conn = ctx.registry.get(t.connectionId);
  if (conn?.kind !== 'cloud') throw new Error('Only instances of a Cloudflare account have a dashboard page.');
  const url = `https://dash.cloudflare.com/${encodeURIComponent(conn.accountId)}/workers/workflows/${encodeURIComponent(t.workflow)}/instance/${encodeURIComponent(t.id)}`;
  await vscode.env.openExternal(vscode.Uri.parse(url));
}

export async function rerunWithSameParams(ctx: CommandContext, ...args: unknown[]): Promise<string | undefined> {
  const [t] = await resolveInstances(ctx, args);
  const details = await ctx.service.getInstance(t);
  const created = await ctx.service.createInstance(t.connectionId, t.workflow, { params: details.params });
  ctx.log.info(`Reran ${t.workflow}/${t.id} as ${created.id}`);
  await ctx.tree.refreshInstance(t.connectionId, t.workflow, created.id).catch(() => undefined);
  const noOpen = args.some((a) => typeof a === 'object' && a !== null && (a as { noOpen?: boolean }).noOpen === true);
  if (!noOpen) await ctx.panels.open({ connectionId: t.connectionId, connectionLabel: connectionLabel(ctx, t.connectionId), workflow: t.workflow, id: created.id });
  return created.id;
}

export async function compareInstances(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const selected = await resolveInstances(ctx, args);
  const left = selected[0];
  const right = selected[1] ?? (args[2] !== undefined ? (await resolveInstances(ctx, [args[2]]))[0] : await pickInstance(ctx));
  // Without clock times, so only what differs in substance shows.
  const uri = (t: typeof left) => InstanceJsonProvider.uri(t.connectionId, t.workflow, t.id).with({ fragment: 'canonical' });
  await vscode.commands.executeCommand('vscode.diff', uri(left), uri(right), `${left.id} ↔ ${right.id}`);
}
