// Send Event to All…: one event type and one JSON payload to every instance of a "Waiting for events"
// type group, or to a multi-selection of instances. The type and payload are always the user's own
// (asked like Send Event…, same checks); a modal preview states the count; sending goes a chunk at a
// time within the connection's request budget; the result is reported per instance; and instances that
// already got this event (same type and payload) are never sent it again: "Retry" sends only to the rest.
import * as vscode from 'vscode';
import { isApiError } from '../api';
import { pendingEventType } from '../model/derived';
import { forModalDetail, forNotification, forQuickPickDescription, forQuickPickLabel } from '../model/display';
import { eventArrived, groupByType, sendInChunks, stableJson, UNKNOWN_TYPE_LABEL, type ChunkedSendResult } from '../model/eventInbox';
import { canSendEvent } from '../model/status';
import { checkEventType } from '../model/validation';
import type { EventTypeNode, WaitingInstanceNode } from '../tree/nodes';
import { Cancelled, type CommandContext, type InstanceTarget, must, resolveInstances, resolveWorkflow } from './context';
import { askPayload, pickOrType, type TypeItem } from './sendEvent';

/** Instances per chunk: the budget is asked before each. */
export const SEND_CHUNK = 10;
/** Requests in flight inside a chunk. */
const SEND_CONCURRENCY = 4;

const uncertainKey = (t: InstanceTarget, type: string, payload: unknown) => JSON.stringify([t.connectionId, t.workflow, t.id, type, stableJson(payload)]);

interface Run {
  type: string;
  payload: unknown;
  targets: InstanceTarget[];
}

export async function sendEventToAll(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const { targets, suggested, fixedType } = await chooseTargets(ctx, args);
  if (targets.length === 0) throw new Error('None of the chosen instances can receive an event (only running or waiting ones can).');
  let type = fixedType;
  if (type === undefined) {
    const items: TypeItem[] = suggested.map((s) => ({ label: forQuickPickLabel(s.type), description: forQuickPickDescription(`${s.count} of ${targets.length} wait for this type`), type: s.type }));
    type = await pickOrType(ctx, items, `Send Event to ${targets.length} instance${targets.length === 1 ? '' : 's'}: event type`);
  }
  const bad = checkEventType(type);
  if (bad) throw new Error(bad);
  const workflows = [...new Set(targets.map((t) => `${t.connectionId}/${t.workflow}`))];
  const payload = await askPayload(ctx, workflows[0], type, `Send "${type}" to ${targets.length} instance${targets.length === 1 ? '' : 's'}: JSON payload`);
  await send(ctx, { type, payload, targets });
}

/** The targets of a type group, a multi-selection, or (palette) a type picked in a workflow's inbox. */
async function chooseTargets(ctx: CommandContext, args: unknown[]): Promise<{ targets: InstanceTarget[]; suggested: { type: string; count: number }[]; fixedType?: string }> {
  const [first] = args;
  if (typeof first === 'object' && first !== null && (first as { kind?: unknown }).kind === 'eventType') {
    // Only the tree's own type group is trusted for its type; a look-alike is refused.
    if (!ctx.tree.inbox.isOwn(first)) throw new Error('This runs on a type group under "Waiting for events" in the Workflows view.');
    const g = first as EventTypeNode;
    if (g.instances.length === 0) throw new Error('No instance in this group is waiting any more. Refresh the Workflows view.');
    const targets = await resolveInstances(ctx, [g.instances[0], g.instances]);
    return { targets, suggested: [], ...(g.type !== undefined ? { fixedType: g.type } : {}) };
  }
  if (first === undefined) {
    // From the palette: a workflow, then one of its waiting types.
    const { connection, workflow } = await resolveWorkflow(ctx, undefined);
    const scan = await ctx.tree.inbox.scanWorkflow(connection.id, workflow, ctx.tree.inbox.limits.maxFetches);
    const groups = groupByType(scan.entries, Date.now());
    if (groups.length === 0) throw new Error(`No instance of ${workflow} is waiting for an event${scan.unchecked ? ` among those checked (${scan.unchecked} not checked yet)` : ''}.`);
    const pick = must(await ctx.steps.pick({
      title: 'Send Event to All: which waiting instances',
      placeholder: 'Pick an event type',
      items: groups.map((g) => ({ label: forQuickPickLabel(g.type ?? UNKNOWN_TYPE_LABEL), description: forQuickPickDescription(`${g.entries.length} waiting`), group: g })),
    }));
    const targets = pick.group.entries.map((e) => ({ ...ctx.service.checkRef({ connectionId: connection.id, workflow, id: e.id }), status: connection.kind === 'cloud' ? ('waiting' as const) : ('running' as const) }));
    return { targets, suggested: [], ...(pick.group.type !== undefined ? { fixedType: pick.group.type } : {}) };
  }
  const all = await resolveInstances(ctx, args);
  const targets = all.filter((t) => t.status === undefined || canSendEvent(t.status));
  // Types the selected instances wait for, as far as the tree already knows (no requests).
  const counts = new Map<string, number>();
  const nodes = Array.isArray(args[1]) ? (args[1] as unknown[]) : [first];
  for (const t of targets) {
    const node = nodes.find((n): n is WaitingInstanceNode => typeof n === 'object' && n !== null && (n as WaitingInstanceNode).kind === 'waitingInstance' && (n as WaitingInstanceNode).entry?.id === t.id);
    const known = ctx.service.knownDetails(t);
    const type = node?.entry.eventType ?? (known ? pendingEventType(known) : undefined);
    if (typeof type === 'string') counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const suggested = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([type, count]) => ({ type, count }));
  return { targets, suggested };
}

/** The preview, the chunked send and the report; "Retry" comes back here with the same type and payload. */
async function send(ctx: CommandContext, run: Run): Promise<ChunkedSendResult<InstanceTarget> | undefined> {
  await settleUncertain(ctx, run);
  const { toSend, already } = ctx.tree.inbox.deliveries.ledger.split(run.targets, run.type, run.payload);
  if (toSend.length === 0) {
    void vscode.window.showInformationMessage(forNotification(`All ${already.length} instance${already.length === 1 ? '' : 's'} already received event "${run.type}" with this payload: nothing was sent.`, 400));
    return undefined;
  }
  const budget = await budgetLeft(ctx, toSend);
  const n = toSend.length;
  const lines = [
    `Event "${run.type}" with the payload you entered goes to ${n} instance${n === 1 ? '' : 's'}${already.length ? `; ${already.length} already received it and are skipped` : ''}.`,
    `One request per instance, ${SEND_CHUNK} at a time.${budget !== undefined ? ` The connection's rate budget allows ${budget} more write${budget === 1 ? '' : 's'} now; what does not fit is left for "Retry".` : ''}`,
    '',
    ...toSend.slice(0, 10).map((t) => `${t.workflow} / ${t.id}`),
    ...(n > 10 ? [`… and ${n - 10} more`] : []),
  ];
  const go = `Send to ${n}`;
  const ok = await ctx.steps.dialog(() => vscode.window.showWarningMessage(forNotification(`Send event "${run.type}" to ${n} instance${n === 1 ? '' : 's'}?`, 300), { modal: true, detail: forModalDetail(lines.join('\n')) }, go));
  if (ok !== go) throw new Cancelled();

  let result: ChunkedSendResult<InstanceTarget> | undefined;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: forNotification(`Sending "${run.type}" to ${n} instances`, 200), cancellable: true }, (progress, token) =>
      sendInChunks(
        toSend,
        async (t) => {
          try {
            await ctx.service.sendEvent(t, run.type, run.payload);
          } catch (e) {
            if (isApiError(e, 'timeout') || isApiError(e, 'network')) ctx.tree.inbox.deliveries.uncertain.set(uncertainKey(t, run.type, run.payload), Date.now());
            throw e;
          }
          ctx.tree.inbox.deliveries.uncertain.delete(uncertainKey(t, run.type, run.payload));
          // Remembered at once, so that even an interrupted run never sends this one again.
          ctx.tree.inbox.deliveries.ledger.record(t, run.type, run.payload);
        },
        {
          chunkSize: SEND_CHUNK,
          concurrency: SEND_CONCURRENCY,
          // Read synchronously before each chunk from the backends already in use.
          remaining: () => budgetNow(ctx, toSend),
          cancelled: () => token.isCancellationRequested,
          onProgress: (done, total) => progress.report({ increment: 100 / total, message: `${done}/${total}` }),
        },
        (e) => isApiError(e, 'rateLimited'),
      ),
    );
  } finally {
    await refreshAfter(ctx, result?.ok ?? [], run.targets);
  }
  for (const t of result.ok) ctx.log.info(`Send event "${run.type}" to ${t.workflow}/${t.id}: sent`);
  for (const f of result.failed) ctx.log.error(`Send event "${run.type}" to ${f.target.workflow}/${f.target.id}`, new Error(f.message));
  report(ctx, run, result, already.length);
  return result;
}

/** Targets whose last send of this event may have arrived: delivered if their wait is over. */
async function settleUncertain(ctx: CommandContext, run: Run): Promise<void> {
  for (const t of run.targets) {
    const key = uncertainKey(t, run.type, run.payload);
    const failedAt = ctx.tree.inbox.deliveries.uncertain.get(key);
    if (failedAt === undefined) continue;
    try {
      const details = await ctx.service.getInstance(t);
      ctx.tree.inbox.deliveries.uncertain.delete(key);
      // A minute of slack for the server's clock (the send began before it failed).
      if (eventArrived(details, run.type, failedAt - 60_000, Date.now())) {
        ctx.tree.inbox.deliveries.ledger.record(t, run.type, run.payload);
        ctx.log.info(`Send event "${run.type}" to ${t.workflow}/${t.id}: the earlier attempt arrived; not sent again`);
      }
    } catch {
      // Unreadable now: left uncertain, and sent again only if the user confirms the preview.
    }
  }
}

function report(ctx: CommandContext, run: Run, r: ChunkedSendResult<InstanceTarget>, skipped: number): void {
  const parts = [`${r.ok.length} sent`, `${r.failed.length} failed`];
  if (r.notSent.length) parts.push(`${r.notSent.length} not sent${r.stoppedBy === 'budget' ? ' (rate budget)' : r.stoppedBy === 'cancelled' ? ' (cancelled)' : ''}`);
  if (skipped) parts.push(`${skipped} already had it`);
  const summary = `Event "${run.type}": ${parts.join(', ')}.`;
  const rest = [...r.failed.map((f) => f.target), ...r.notSent];
  if (rest.length === 0) {
    void vscode.window.showInformationMessage(forNotification(summary, 400));
    return;
  }
  const detail = [...r.failed.map((f) => `${forNotification(f.target.id, 100)}: ${forNotification(f.message, 200)}`), ...r.notSent.slice(0, 20).map((t) => `${forNotification(t.id, 100)}: not sent`)].join('\n');
  void vscode.window.showWarningMessage(forNotification(summary, 400), { detail: forModalDetail(detail) }, 'Retry', 'Show Log').then(async (pick) => {
    if (pick === 'Show Log') void vscode.commands.executeCommand('cloudflareWorkflows.showLog');
    // The ledger drops whatever got the event meanwhile; the preview asks again before anything goes out.
    if (pick === 'Retry') await send(ctx, { ...run, targets: rest }).catch((e: unknown) => {
      if (!(e instanceof Cancelled)) void vscode.window.showErrorMessage(forNotification(e instanceof Error ? e.message : String(e)));
    });
  });
}

/** Writes the budgets of the targets' connections allow now (the smallest); undefined when none has a budget. */
async function budgetLeft(ctx: CommandContext, targets: InstanceTarget[]): Promise<number | undefined> {
  for (const id of new Set(targets.map((t) => t.connectionId))) await ctx.service.backend(id);
  return budgetNow(ctx, targets);
}

function budgetNow(ctx: CommandContext, targets: InstanceTarget[]): number | undefined {
  let min: number | undefined;
  for (const id of new Set(targets.map((t) => t.connectionId))) {
    const b = ctx.registry.cachedBackend(id)?.stats?.().budget;
    if (!b) continue;
    const left = b.blockedUntil && b.blockedUntil.getTime() > Date.now() ? 0 : b.remaining;
    min = min === undefined ? left : Math.min(min, left);
  }
  return min;
}

/** Marks the delivered instances in the inbox cache (no requests) and redraws their workflows and inboxes. */
async function refreshAfter(ctx: CommandContext, delivered: InstanceTarget[], all: InstanceTarget[]): Promise<void> {
  const byWorkflow = new Map<string, { connectionId: string; workflow: string; ids: string[] }>();
  for (const t of all) {
    const key = JSON.stringify([t.connectionId, t.workflow]);
    if (!byWorkflow.has(key)) byWorkflow.set(key, { connectionId: t.connectionId, workflow: t.workflow, ids: [] });
  }
  for (const t of delivered) byWorkflow.get(JSON.stringify([t.connectionId, t.workflow]))?.ids.push(t.id);
  ctx.source.insights.invalidate();
  for (const { connectionId, workflow, ids } of byWorkflow.values()) {
    ctx.tree.inbox.markDelivered(connectionId, workflow, ids);
    for (const id of ids) ctx.panels.refresh({ connectionId, workflow, id });
    for (const n of ctx.tree.inbox.inboxesOf(connectionId, workflow)) {
      if (!n.types) continue;
      ctx.tree.inbox.reset(n);
      ctx.tree.fire(n);
    }
    const w = ctx.tree.connectionNodes().find((c) => c.connection.id === connectionId)?.workflows?.find((x) => x.name === workflow);
    if (w) {
      // The status groups only: a refresh of the workflow would also drop the inbox's cache.
      for (const g of w.groups.values()) await ctx.tree.refresh(g);
    }
  }
}
