// Delete Instance(s): where the backend supports it, with a confirmation that states the count.
import * as vscode from 'vscode';
import { forNotification } from '../model/display';
import { backendFor, type CommandContext, must, resolveInstances } from './context';
import { runBulk } from './bulk';

export async function deleteInstances(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const targets = await resolveInstances(ctx, args);
  const confirmed = args.some((a) => typeof a === 'object' && a !== null && (a as { confirmed?: boolean }).confirmed === true);
  for (const t of targets) {
    if (!(await backendFor(ctx, t.connectionId)).capabilities.deleteInstance) throw new Error('This connection cannot delete instances.');
  }
  if (!confirmed) {
    const what = targets.length === 1 ? `instance "${targets[0].id}"` : `${targets.length} instances`;
    must(await vscode.window.showWarningMessage(forNotification(`Delete ${what}?`, 400), { modal: true, detail: 'Its stored state and step history are removed. A running instance is stopped.' }, 'Delete'));
  }
  await runBulk(ctx, 'Delete', targets, async (t) => {
    await (await backendFor(ctx, t.connectionId)).deleteInstance(t.workflow, t.id);
  });
}
