// Create Instances from JSON File…: an array of {id?, params?}, validated whole before anything is
// sent, then created in batches of ≤ 100 with a cancellable progress notification and a summary.
import * as vscode from 'vscode';
import { forModalDetail, forNotification } from '../model/display';
import { checkInstanceId, checkJsonPayload, checkRetention, parseJsonText } from '../model/validation';
import type { BatchCreateResult, CreateInstanceInput, Retention } from '../model/types';
import { type CommandContext, must, resolveWorkflow } from './context';

/** Validates the file's content; returns the items or every problem found (nothing is sent). */
export function parseBatchFile(text: string): { items: CreateInstanceInput[] } | { errors: string[] } {
  const parsed = parseJsonText(text, 'The file');
  if ('error' in parsed) return { errors: [parsed.error] };
  if (!Array.isArray(parsed.value)) return { errors: ['The file must hold a JSON array of {"id"?, "params"?, "instance_retention"?} objects.'] };
  const errors: string[] = [];
  const ids = new Set<string>();
  const items = parsed.value.map((raw, i): CreateInstanceInput => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push(`Item ${i}: must be an object.`);
      return {};
    }
    const { id, params, instance_retention: ret } = raw as { id?: unknown; params?: unknown; instance_retention?: unknown };
    if (id !== undefined) {
      if (typeof id !== 'string') errors.push(`Item ${i}: "id" must be a string.`);
      else {
        const bad = checkInstanceId(id);
        if (bad) errors.push(`Item ${i}: ${bad}`);
        if (ids.has(id)) errors.push(`Item ${i}: duplicate id "${id}".`);
        ids.add(id);
      }
    }
    const badParams = checkJsonPayload(params, `Item ${i} params`);
    if (badParams) errors.push(badParams);
    // Per item, with the API's own names: {"instance_retention": {"success_retention"?, "error_retention"?}}.
    let retention: Retention | undefined;
    if (ret !== undefined) {
      if (typeof ret !== 'object' || ret === null || Array.isArray(ret)) errors.push(`Item ${i}: "instance_retention" must be an object.`);
      else {
        const { success_retention: s, error_retention: e } = ret as { success_retention?: unknown; error_retention?: unknown };
        for (const bad of [checkRetention(s, `Item ${i} success_retention`), checkRetention(e, `Item ${i} error_retention`)]) if (bad) errors.push(bad);
        retention = { successRetention: s as string | number | undefined, errorRetention: e as string | number | undefined };
      }
    }
    return retention ? { id: id as string | undefined, params, retention } : { id: id as string | undefined, params };
  });
  if (items.length === 0) errors.push('The array is empty.');
  return errors.length ? { errors } : { items };
}

export async function createInstancesFromFile(ctx: CommandContext, ...args: unknown[]): Promise<BatchCreateResult | undefined> {
  const { connection, workflow } = await resolveWorkflow(ctx, args[0]);
  // The file is always the user's pick: an argument must not choose what gets sent.
  const picked = await vscode.window.showOpenDialog({ title: `JSON file of instances for ${workflow}`, filters: { JSON: ['json'] }, canSelectMany: false });
  const uri = must(picked?.[0]);
  // In the browser the file dialog is itself a quick input and replaced the last step; on the desktop it is native.
  ctx.steps.close();
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const parsed = parseBatchFile(text);
  if ('errors' in parsed) {
    throw new Error(`Nothing was created: ${parsed.errors.slice(0, 5).join(' ')}${parsed.errors.length > 5 ? ` (+${parsed.errors.length - 5} more)` : ''}`);
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: forNotification(`Creating ${parsed.items.length} instances of ${workflow}`), cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      let last = 0;
      return ctx.service.createInstances(connection.id, workflow, parsed.items, {
        signal: ac.signal,
        onProgress: (done, total) => {
          progress.report({ increment: ((done - last) / total) * 100, message: `${done}/${total}` });
          last = done;
        },
      });
    },
  );
  const summary = `Created ${result.created.length} of ${parsed.items.length} instances of ${workflow}${result.failed.length ? `; ${result.failed.length} failed` : ''}.`;
  ctx.log.info(summary);
  for (const f of result.failed) ctx.log.warn(`Item ${f.index}${f.id ? ` (${f.id})` : ''}: ${f.error.message}`);
  if (result.failed.length) void vscode.window.showWarningMessage(forNotification(summary, 400), { detail: forModalDetail(result.failed.slice(0, 20).map((f) => `#${f.index} ${forNotification(f.id ?? '', 100)}: ${forNotification(f.error.message, 200)}`).join('\n')) });
  else void vscode.window.showInformationMessage(forNotification(summary, 400));
  const w = ctx.tree.connectionNodes().find((c) => c.connection.id === connection.id)?.workflows?.find((x) => x.name === workflow);
  if (w) await ctx.tree.refresh(w);
  return result;
}
