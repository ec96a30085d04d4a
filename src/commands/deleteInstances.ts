// Delete Instance(s): where the backend supports it, with a confirmation that states the count.
import * as vscode from 'vscode';
import { forNotification } from '../model/display';
import { backendFor, type CommandContext, must, resolveInstances } from './context';
import { runBatched } from './bulk';

export async function deleteInstances(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const targets = await resolveInstances(ctx, args);
  for (const t of targets) {
    if (!(await backendFor(ctx, t.connectionId)).capabilities.deleteInstance) throw new Error('This connection cannot delete instances.');
  }
  // Always asked: no argument can say "already confirmed".
  const what = targets.length === 1 ? `instance "${targets[0].id}"` : `${targets.length} instances`;
  must(await ctx.steps.dialog(() => vscode.window.showWarningMessage(forNotification(`Delete ${what}?`, 400), { modal: true, detail: 'Its stored state and step history are removed. A running instance is stopped.' }, 'Delete')));
  await runBatched(ctx, 'Delete', 'delete', targets, (t) => ctx.service.deleteInstance(t));
}
