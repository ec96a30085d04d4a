// Runs one action over one or many instances with progress and cancellation, then reports a
// per-item summary and refreshes only the affected tree items and panels.
import * as vscode from 'vscode';
import { forModalDetail, forNotification } from '../model/display';
import type { CommandContext, InstanceTarget } from './context';

export interface BulkOutcome {
  ok: InstanceTarget[];
  failed: { target: InstanceTarget; message: string }[];
}

export async function runBulk(ctx: CommandContext, verb: string, targets: InstanceTarget[], fn: (t: InstanceTarget) => Promise<void>): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { ok: [], failed: [] };
  const work = async (token?: vscode.CancellationToken, progress?: vscode.Progress<{ increment: number; message: string }>) => {
    for (const t of targets) {
      if (token?.isCancellationRequested) break;
      try {
        await fn(t);
        outcome.ok.push(t);
        ctx.log.info(`${verb} ${t.workflow}/${t.id}: done`);
      } catch (e) {
        if (targets.length === 1) throw e;
        const message = e instanceof Error ? e.message : String(e);
        outcome.failed.push({ target: t, message });
        ctx.log.error(`${verb} ${t.workflow}/${t.id}`, e);
      }
      progress?.report({ increment: 100 / targets.length, message: `${outcome.ok.length + outcome.failed.length}/${targets.length}` });
    }
  };
  try {
    if (targets.length === 1) await work();
    else await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} ${targets.length} instances`, cancellable: true }, (p, token) => work(token, p));
  } finally {
    await refreshAffected(ctx, targets);
  }
  if (targets.length > 1) {
    const skipped = targets.length - outcome.ok.length - outcome.failed.length;
    const summary = `${verb}: ${outcome.ok.length} succeeded, ${outcome.failed.length} failed${skipped ? `, ${skipped} cancelled` : ''}.`;
    if (outcome.failed.length) {
      void vscode.window.showWarningMessage(forNotification(summary), { detail: forModalDetail(outcome.failed.map((f) => `${forNotification(f.target.id, 100)}: ${forNotification(f.message, 200)}`).join('\n')) }, 'Show Log').then((pick) => {
        if (pick === 'Show Log') void vscode.commands.executeCommand('cloudflareWorkflows.showLog');
      });
    } else void vscode.window.showInformationMessage(forNotification(summary));
  }
  return outcome;
}

export async function refreshAffected(ctx: CommandContext, targets: InstanceTarget[]): Promise<void> {
  const seen = new Set<string>();
  ctx.source.insights.invalidate();
  for (const t of targets) {
    ctx.panels.refresh(t);
    try {
      await ctx.tree.refreshInstance(t.connectionId, t.workflow, t.id);
    } catch {
      // The instance may be gone (deleted); refresh its workflow instead.
      const key = `${t.connectionId}/${t.workflow}`;
      if (!seen.has(key)) {
        seen.add(key);
        const w = ctx.tree.connectionNodes().find((c) => c.connection.id === t.connectionId)?.workflows?.find((x) => x.name === t.workflow);
        if (w) await ctx.tree.refresh(w);
      }
    }
  }
}
