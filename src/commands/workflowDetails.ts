// Workflow Details: a read-only plain-text document of what the API says about one workflow — class
// and script, created/modified, last trigger, cron schedules with their next run, per-status counts,
// and (cloud) its versions. Plain text, never Markdown, so server text cannot become a link; every
// value goes through the display sanitiser (hidden and bidi characters marked, lengths bounded).
import * as vscode from 'vscode';
import { forPlainTooltip } from '../model/display';
import { INSTANCE_STATUSES, type WorkflowDetails, type WorkflowVersion } from '../model/types';
import { STATUS_LABELS } from '../model/status';
import { type CommandContext, type SharedContext, resolveWorkflow } from './context';

export const WORKFLOW_SCHEME = 'cfwf-workflow';

const line = (label: string, value: unknown, max = 300) => `${label.padEnd(16)}${forPlainTooltip(value, max).replace(/\n/g, ' ')}`;
// Server text: sanitised here too, since some lines are built without `line`.
const when = (t: string | null | undefined) => (t ? forPlainTooltip(`${t} (${new Date(t).toLocaleString()})`, 100).replace(/\n/g, ' ') : 'never');

/** The document's text; exported for tests. */
export function workflowDetailsText(connectionLabel: string, d: WorkflowDetails, versions: WorkflowVersion[] | undefined): string {
  const out = [`Workflow ${forPlainTooltip(d.name, 100)}`, line('Connection', connectionLabel), ''];
  if (d.id !== undefined) out.push(line('Workflow ID', d.id, 100));
  out.push(line('Class', d.className ?? '(not reported)'), line('Script', d.scriptName ?? '(not reported)'));
  if (d.createdOn !== undefined) out.push(line('Created', when(d.createdOn)));
  if (d.modifiedOn !== undefined) out.push(line('Modified', when(d.modifiedOn)));
  if (d.triggeredOn !== undefined) out.push(line('Last triggered', when(d.triggeredOn)));
  out.push('', 'Cron schedules');
  if (!d.schedules) out.push('  (this backend does not report schedules)');
  else if (d.schedules.length === 0) out.push('  none');
  else for (const s of d.schedules.slice(0, 100)) out.push(`  ${forPlainTooltip(s.cron, 256)} — next run ${when(s.nextInstance)}`);
  out.push('', 'Instances by status');
  for (const s of INSTANCE_STATUSES) if (d.instances[s]) out.push(`  ${STATUS_LABELS[s].padEnd(20)}${d.instances[s]}`);
  // No "instances of this version" here: the instance list endpoint takes no version parameter (only
  // cursor, date_start, date_end, direction, page, per_page, status: developers.cloudflare.com/api/
  // resources/workflows/subresources/instances/methods/list), and a per-page filter would hide the rest.
  out.push('', 'Versions (newest first)');
  if (!versions) out.push('  (the local engine has no versions)');
  else if (versions.length === 0) out.push('  none reported');
  else for (const v of versions) out.push(`  ${forPlainTooltip(v.id, 100)}  ${v.createdOn ? when(v.createdOn) : ''}${v.className ? `  class ${forPlainTooltip(v.className, 100)}` : ''}${v.language ? `  ${forPlainTooltip(v.language, 20)}` : ''}`);
  return `${out.join('\n')}\n`;
}

export class WorkflowDetailsProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: SharedContext) {}

  static uri(connectionId: string, workflow: string): vscode.Uri {
    return vscode.Uri.from({ scheme: WORKFLOW_SCHEME, path: `/${workflow}.txt`, query: connectionId });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const m = /^\/(.+)\.txt$/.exec(uri.path);
    if (!m) throw new Error('Not a workflow details URI.');
    const connection = this.ctx.service.connection(uri.query);
    const backend = await this.ctx.service.backend(connection.id);
    const [details, versions] = await Promise.all([backend.getWorkflow(m[1]), backend.listVersions ? backend.listVersions(m[1]) : Promise.resolve(undefined)]);
    return workflowDetailsText(connection.label, details, versions);
  }
}

export async function showWorkflowDetails(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { connection, workflow } = await resolveWorkflow(ctx, args[0]);
  const doc = await vscode.workspace.openTextDocument(WorkflowDetailsProvider.uri(connection.id, workflow));
  await vscode.window.showTextDocument(doc, { preview: true });
}
