// Create Instance…: optional id validated as the user types, params edited as JSON in an untitled
// editor with live diagnostics, optional retention. Nothing is sent until everything is valid.
import * as vscode from 'vscode';
import { forQuickPickTitle } from '../model/display';
import { checkInstanceId, checkJsonPayload, checkRetention } from '../model/validation';
import type { CreateInstanceInput, InstanceStatus, Retention } from '../model/types';
import { backendFor, type CommandContext, resolveWorkflow } from './context';
import { editJson } from './jsonEditor';

export async function createInstance(ctx: CommandContext, ...args: unknown[]): Promise<string | undefined> {
  const { connection, workflow } = await resolveWorkflow(ctx, args[0]);
  const backend = await backendFor(ctx, connection.id);
  // The id and params are always the user's own: a command argument cannot supply a payload.
  const id = await vscode.window.showInputBox({
    title: forQuickPickTitle(`Create Instance of ${workflow} (1/3): ID`),
    prompt: 'Leave empty for a generated ID',
    validateInput: (v) => (v === '' ? undefined : checkInstanceId(v)),
    ignoreFocusOut: true,
  });
  if (id === undefined) return undefined;
  const params = await editJson(ctx, {
    title: `Params for a new ${workflow} instance`,
    initial: '{\n  \n}\n',
    what: 'Params',
    acceptLabel: 'Create Instance',
  });
  let retention: Retention | undefined;
  if (backend.capabilities.retention) {
    const r = await vscode.window.showInputBox({
      title: forQuickPickTitle(`Create Instance of ${workflow} (3/3): retention`),
      prompt: 'Optional "success, error" retention, e.g. "1 day, 7 days". Empty for the default.',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const [s, e] = v.split(',').map(retentionValue);
        return checkRetention(s, 'Success retention') ?? checkRetention(e, 'Error retention');
      },
    });
    if (r === undefined) return undefined;
    const [s, e] = r.split(',').map(retentionValue);
    const bad = checkRetention(s, 'Success retention') ?? checkRetention(e, 'Error retention');
    if (bad) throw new Error(bad);
    retention = s !== undefined || e !== undefined ? { successRetention: s, errorRetention: e } : undefined;
  }
  const input: CreateInstanceInput = { id: id || undefined, params, retention };
  if (input.id !== undefined) {
    const bad = checkInstanceId(input.id);
    if (bad) throw new Error(bad);
  }
  const badParams = checkJsonPayload(input.params, 'Params');
  if (badParams) throw new Error(badParams);
  const created = await ctx.service.createInstance(connection.id, workflow, input);
  ctx.log.info(`Created ${workflow}/${created.id} on ${connection.label}`);
  const details = await ctx.tree.refreshInstance(connection.id, workflow, created.id).catch(() => undefined);
  if (details) await revealInstance(ctx, connection.id, workflow, created.id, details.status);
  await ctx.panels.open({ connectionId: connection.id, connectionLabel: connection.label, workflow, id: created.id });
  return created.id;
}

/** Reveals an instance in the tree (when the view is shown), given the status it was just fetched with. */
export async function revealInstance(ctx: CommandContext, connectionId: string, workflow: string, id: string, status: InstanceStatus): Promise<void> {
  if (!ctx.view.visible || status === 'unknown') return;
  const node = await ctx.tree.findInstance(connectionId, workflow, id, status);
  if (node) await ctx.view.reveal(node, { select: true, focus: false, expand: true });
}

/** "" → default, "5000" → milliseconds, "7 days" → as typed. */
function retentionValue(text: string | undefined): string | number | undefined {
  const t = text?.trim() ?? '';
  return t === '' ? undefined : /^\d+$/.test(t) ? Number(t) : t;
}
