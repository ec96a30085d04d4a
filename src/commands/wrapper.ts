// The one wrapper every command goes through: logs (token-free), turns errors into messages that
// say what to do, stays quiet on cancellation, and marks connections read-only on a 403 write.
import * as vscode from 'vscode';
import { forNotification } from '../model/display';
import { isApiError, WorkflowsApiError } from '../api';
import type { TreeNode } from '../tree/nodes';
import { Cancelled, type CommandContext, type SharedContext, withSteps } from './context';

/** The connection a command argument belongs to: a tree node of any kind, or a reference. */
function connectionOf(arg: unknown): string | undefined {
  const n = arg as (TreeNode & { connectionId?: string }) | undefined;
  if (!n || typeof n !== 'object') return undefined;
  if (typeof n.connectionId === 'string') return n.connectionId;
  switch (n.kind) {
    case 'connection':
      return n.connection.id;
    case 'workflow':
      return n.parent.connection.id;
    case 'group':
      return n.parent.parent.connection.id;
    case 'instance':
      return n.parent.parent.parent.connection.id;
    default:
      return undefined;
  }
}

export type CommandHandler = (ctx: CommandContext, ...args: unknown[]) => unknown;

/** What one activation registered and which commands failed (tests read both through the test API). */
export class CommandRecord {
  /** Every registered id, so a test can compare with package.json. */
  readonly registeredCommands = new Set<string>();
  /** Failures seen by the wrapper (a menu click has no caller to throw to). */
  readonly commandErrors: { command: string; message: string }[] = [];
}

export function registerCommand(ctx: SharedContext, id: string, handler: CommandHandler): void {
  ctx.commands.registeredCommands.add(id);
  ctx.ext.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await withSteps(ctx, (run) => handler(run, ...args));
      } catch (e) {
        if (e instanceof Cancelled || isApiError(e, 'cancelled')) return undefined;
        reportError(ctx, id, e, args);
        return undefined;
      }
    }),
  );
}

function reportError(ctx: SharedContext, id: string, e: unknown, args: unknown[]): void {
  const name = id.replace('cloudflareWorkflows.', '');
  ctx.log.error(`Command ${name} failed`, e);
  const message = ctx.log.redact(e instanceof Error ? e.message : String(e));
  ctx.commands.commandErrors.push({ command: id, message });
  const actions: string[] = [];
  if (e instanceof WorkflowsApiError) {
    if (e.kind === 'auth') actions.push('Update Token');
    if (e.kind === 'permission') {
      const connectionId = connectionOf(args[0]);
      if (connectionId) ctx.registry.markReadOnly(connectionId, 'Workers Scripts Write');
      actions.push('Update Token');
    }
    if (e.kind === 'network') actions.push('Diagnose Connection');
    if (e.kind === 'rateLimited' || e.kind === 'server' || e.kind === 'timeout') actions.push('Show Log');
  }
  // Not awaited: the notification stays until dismissed and must not hold the command open.
  void vscode.window.showErrorMessage(forNotification(`Cloudflare Workflows: ${message}`, 600), ...actions).then((pick) => {
    if (pick === 'Update Token') void vscode.commands.executeCommand('cloudflareWorkflows.updateToken');
    if (pick === 'Diagnose Connection') void vscode.commands.executeCommand('cloudflareWorkflows.diagnoseConnection');
    if (pick === 'Show Log') void vscode.commands.executeCommand('cloudflareWorkflows.showLog');
  });
}
