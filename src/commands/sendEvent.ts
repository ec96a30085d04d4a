// Send Event…: the type (1–100 chars) and a JSON payload. When the instance waits in a
// waitForEvent, its type is offered first; recent types and payloads are remembered per workflow.
import * as vscode from 'vscode';
import { pendingEventType } from '../model/derived';
import { forNotification, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import { canSendEvent } from '../model/status';
import { checkEventType, checkJsonPayload, parseJsonText } from '../model/validation';
import { type CommandContext, type InstanceTarget, must, resolveInstances } from './context';
import { refreshAffected } from './bulk';
import { eventTypeFromSource } from './source';

const RECENT_KEY = 'cloudflareWorkflows.recentEvents';
type Recent = Record<string, { type: string; payload: string }[]>;

export async function sendEvent(ctx: CommandContext, ...args: unknown[]): Promise<void> {
  const [target] = await resolveInstances(ctx, args, canSendEvent);
  await sendEventTo(ctx, target);
}

/** Shared by the command and the instance view: the type and payload are always the user's own. */
export async function sendEventTo(ctx: CommandContext, target: InstanceTarget): Promise<void> {
  const details = await ctx.service.getInstance(target);
  const waiting = pendingEventType(details) ?? (await eventTypeFromSource(ctx.source.index, target.workflow, details));
  const recent = (ctx.ext.globalState.get<Recent>(RECENT_KEY, {})[`${target.connectionId}/${target.workflow}`] ?? []);
  // The label is for reading; `type` is what gets sent.
  const items: TypeItem[] = [];
  if (waiting) items.push({ label: forQuickPickLabel(waiting), description: 'the instance is waiting for this type', type: waiting });
  for (const r of recent) if (r.type !== waiting) items.push({ label: forQuickPickLabel(r.type), description: 'recent', type: r.type, payload: r.payload });
  const type = await pickOrType(ctx, items, `Send Event to ${target.id}: event type`);
  const bad = checkEventType(type);
  if (bad) throw new Error(bad);
  const payload = await askPayload(ctx, `${target.connectionId}/${target.workflow}`, type, `Send "${type}" to ${target.id}: JSON payload`);
  await ctx.service.sendEvent(target, type, payload);
  ctx.log.info(`Sent event "${type}" to ${target.workflow}/${target.id}`);
  void vscode.window.showInformationMessage(forNotification(`Event "${type}" sent to ${target.id}.`, 400));
  await refreshAffected(ctx, [target]);
}

/**
 * The JSON payload for an event of `type`: typed in an input box (the last one sent with this type is
 * offered), parsed, remembered per workflow (`recentKey`) and checked. Bad JSON or > 1 MiB: an error, nothing sent.
 */
export async function askPayload(ctx: CommandContext, recentKey: string, type: string, title: string): Promise<unknown> {
  const recent = recentEvents(ctx, recentKey);
  const lastPayload = recent.find((r) => r.type === type)?.payload ?? '{}';
  const text = must(await vscode.window.showInputBox({
    title: forQuickPickTitle(title),
    value: lastPayload,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const p = parseJsonText(v, 'Payload');
      return 'error' in p ? p.error : undefined;
    },
  }));
  const parsed = parseJsonText(text, 'Payload');
  if ('error' in parsed) throw new Error(parsed.error);
  const payload = parsed.value ?? {};
  await remember(ctx, recentKey, type, text);
  const badPayload = checkJsonPayload(payload, 'Payload');
  if (badPayload) throw new Error(badPayload);
  return payload;
}

/** Event types and payloads recently sent to instances of one workflow (`connectionId/workflow`). */
export function recentEvents(ctx: CommandContext, key: string): { type: string; payload: string }[] {
  return ctx.ext.globalState.get<Recent>(RECENT_KEY, {})[key] ?? [];
}

export type TypeItem = vscode.QuickPickItem & { type: string; payload?: string };

export async function pickOrType(ctx: CommandContext, items: TypeItem[], title: string): Promise<string> {
  const pick = await ctx.steps.pick<TypeItem>({
    title: forQuickPickTitle(title),
    placeholder: 'Type the event type (as passed to step.waitForEvent)',
    items,
    typed: (type) => ({ label: type, type }),
  });
  return must(pick).type;
}

async function remember(ctx: CommandContext, key: string, type: string, payload: string): Promise<void> {
  const all = ctx.ext.globalState.get<Recent>(RECENT_KEY, {});
  const list = [{ type, payload: payload.length > 10_000 ? '{}' : payload }, ...(all[key] ?? []).filter((r) => r.type !== type)].slice(0, 10);
  await ctx.ext.globalState.update(RECENT_KEY, { ...all, [key]: list });
}
