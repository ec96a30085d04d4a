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
    else await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: forNotification(`${verb} ${targets.length} instances`), cancellable: true }, (p, token) => work(token, p));
  } finally {
    await refreshAffected(ctx, targets);
  }
  if (targets.length > 1) reportBulk(verb, targets, outcome);
  return outcome;
}

function reportBulk(verb: string, targets: InstanceTarget[], outcome: BulkOutcome): void {
  const skipped = targets.length - outcome.ok.length - outcome.failed.length;
  const summary = `${verb}: ${outcome.ok.length} succeeded, ${outcome.failed.length} failed${skipped ? `, ${skipped} cancelled` : ''}.`;
  if (outcome.failed.length) {
    void vscode.window.showWarningMessage(forNotification(summary), { detail: forModalDetail(outcome.failed.map((f) => `${forNotification(f.target.id, 100)}: ${forNotification(f.message, 200)}`).join('\n')) }, 'Show Log').then((pick) => {
      if (pick === 'Show Log') void vscode.commands.executeCommand('cloudflareWorkflows.showLog');
    });
  } else void vscode.window.showInformationMessage(forNotification(summary));
}

/**
 * Delete or terminate many instances through the batch endpoints: one request per 100 instances of a
 * workflow instead of one per instance, with the same per-item summary. Groups whose backend has no
 * batch endpoint for the action go one by one through `single`. Workflows are done one after another.
 */
export async function runBatched(ctx: CommandContext, verb: string, action: 'delete' | 'terminate', targets: InstanceTarget[], single: (t: InstanceTarget) => Promise<void>): Promise<BulkOutcome> {
  if (targets.length < 2) return runBulk(ctx, verb, targets, single);
  const groups = new Map<string, InstanceTarget[]>();
  for (const t of targets) {
    const key = JSON.stringify([t.connectionId, t.workflow]);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const outcome: BulkOutcome = { ok: [], failed: [] };
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: forNotification(`${verb} ${targets.length} instances`) }, async () => {
      for (const group of groups.values()) {
        const { connectionId, workflow } = group[0];
        try {
          const r = await ctx.service.batch(connectionId, workflow, action, group.map((t) => t.id));
          if (!r) {
            for (const t of group) {
              try {
                await single(t);
                outcome.ok.push(t);
              } catch (e) {
                outcome.failed.push({ target: t, message: e instanceof Error ? e.message : String(e) });
              }
            }
            continue;
          }
          const failed = new Map(r.failed.map((f) => [f.id, f.message]));
          const ok = new Set(r.ok);
          for (const t of group) {
            if (failed.has(t.id)) outcome.failed.push({ target: t, message: failed.get(t.id) as string });
            else if (ok.has(t.id)) outcome.ok.push(t);
            else outcome.failed.push({ target: t, message: 'The server did not report on this instance. Refresh to see its state.' });
          }
          ctx.log.info(`${verb} ${workflow}: ${r.ok.length} done, ${r.failed.length} failed (batch)`);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          ctx.log.error(`${verb} ${workflow} (batch)`, e);
          for (const t of group) outcome.failed.push({ target: t, message });
        }
      }
    });
  } finally {
    // One refresh per workflow, not one request per instance: a batch of 100 should stay cheap.
    await refreshWorkflows(ctx, targets);
  }
  reportBulk(verb, targets, outcome);
  return outcome;
}

async function refreshWorkflows(ctx: CommandContext, targets: InstanceTarget[]): Promise<void> {
  ctx.source.insights.invalidate();
  const seen = new Set<string>();
  for (const t of targets) {
    ctx.panels.refresh(t);
    const key = JSON.stringify([t.connectionId, t.workflow]);
    if (seen.has(key)) continue;
    seen.add(key);
    const w = ctx.tree.connectionNodes().find((c) => c.connection.id === t.connectionId)?.workflows?.find((x) => x.name === t.workflow);
    if (w) await ctx.tree.refresh(w);
  }
}

export async function refreshAffected(ctx: CommandContext, targets: InstanceTarget[]): Promise<void> {
  const seen = new Set<string>();
  ctx.source.insights.invalidate();
  for (const t of targets) {
    // Open panels follow the service's change events; the tree is refreshed here, before the command ends.
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
