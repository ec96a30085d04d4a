// Pause, Resume, Terminate and Restart: one implementation, offered only where the status allows,
// with a modal confirmation for the destructive ones and the affected tree items refreshed after.
import * as vscode from 'vscode';
import { forModalDetail, forNotification, forQuickPickDescription, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import { allowedActions, splitStepName } from '../model/status';
import type { InstanceStatus, RestartFrom, StatusAction } from '../model/types';
import { backendFor, type CommandContext, type InstanceTarget, must, resolveInstances } from './context';
import { runBatched, runBulk } from './bulk';

const VERB: Record<StatusAction, string> = { pause: 'Pause', resume: 'Resume', terminate: 'Terminate', restart: 'Restart' };

/** The command: arguments name instances only; nothing in them skips a question. */
export function changeStatusCommand(ctx: CommandContext, action: StatusAction) {
  return async (...args: unknown[]): Promise<void> => {
    const legal = (s: InstanceStatus) => allowedActions(s).includes(action);
    await changeStatus(ctx, action, (await resolveInstances(ctx, args, legal)).filter((t) => !t.status || legal(t.status)));
  };
}

/**
 * Shared by the command and the instance view: asks what the action needs (restart point, modal
 * confirmation for terminate, restart and any bulk action), then acts through the service. `from`
 * comes only from the view's own restart-from-step row, and the restart is still confirmed.
 */
export async function changeStatus(ctx: CommandContext, action: StatusAction, targets: InstanceTarget[], given?: { fromStep?: string }): Promise<void> {
  if (targets.length === 0) {
    void vscode.window.showInformationMessage(forNotification(`${VERB[action]} is not possible for the selected instances' status.`));
    return;
  }
  let from = given?.fromStep !== undefined ? toRestartFrom(given.fromStep) : undefined;
  if (action === 'restart' && !from && targets.length === 1) from = await pickRestartPoint(ctx, targets[0]);
  let rollback: boolean | undefined;
  if (action === 'terminate' || action === 'restart' || targets.length > 1) rollback = await confirm(ctx, action, targets, from, undefined);
  if (action === 'terminate' && rollback !== true) {
    // Many at once through the batch terminate endpoint where the backend has one (cloud).
    await runBatched(ctx, VERB[action], 'terminate', targets, (t) => ctx.service.changeStatus(t, 'terminate'));
    return;
  }
  await runBulk(ctx, `${VERB[action]}`, targets, async (t) => {
    // Without a type the server assumes `do`, so a sleep or wait step would not be found: every path
    // that names a step by its engine name alone gets the type from the instance's own steps.
    const stepFrom = action === 'restart' && from && !from.type ? await withStepType(ctx, t, from) : from;
    await ctx.service.changeStatus(t, action, { from: stepFrom, rollback: action === 'terminate' ? rollback : undefined });
  });
}

export function toRestartFrom(stepName: string): RestartFrom {
  const { base, count } = splitStepName(stepName);
  return { name: base, count };
}

const STEP_KIND = { step: 'do', sleep: 'sleep', waitForEvent: 'waitForEvent' } as const;

/** The restart point's step type, read from the instance's steps (remembered, or fetched once). */
async function withStepType(ctx: CommandContext, t: InstanceTarget, from: RestartFrom): Promise<RestartFrom> {
  const matches = (s: { type: string; name?: string }) => {
    if ((s.type !== 'step' && s.type !== 'sleep' && s.type !== 'waitForEvent') || s.name === undefined) return false;
    const p = splitStepName(s.name);
    return p.base === from.name && p.count === (from.count ?? 1);
  };
  const find = (steps: { type: string; name?: string }[]) => steps.find(matches);
  let step = find(ctx.registry.knownDetails(t.connectionId, t.workflow, t.id)?.steps ?? []);
  if (!step) step = find((await (await backendFor(ctx, t.connectionId)).getInstance(t.workflow, t.id)).steps);
  return step ? { ...from, type: STEP_KIND[step.type as keyof typeof STEP_KIND] } : from;
}

/** Restart from the beginning, or from one of the steps the instance ran (where the backend can). */
async function pickRestartPoint(ctx: CommandContext, t: InstanceTarget): Promise<RestartFrom | undefined> {
  const backend = await backendFor(ctx, t.connectionId);
  if (!backend.capabilities.restartFromStep) return undefined;
  const details = await backend.getInstance(t.workflow, t.id);
  const steps = details.steps.flatMap((s) => (s.type === 'step' || s.type === 'sleep' || s.type === 'waitForEvent' ? [{ name: s.name, type: STEP_KIND[s.type] }] : []));
  if (steps.length === 0) return undefined;
  const items: (vscode.QuickPickItem & { from?: RestartFrom })[] = [
    { label: '$(debug-restart) From the beginning', description: 'every step runs again' },
    // A step named "$(debug-restart) From the beginning" must not look like the item above.
    ...steps.map((s) => ({ label: forQuickPickLabel(s.name), description: forQuickPickDescription(`step.${s.type}`), from: { ...toRestartFrom(s.name), type: s.type } })),
  ];
  const pick = must(await vscode.window.showQuickPick(items, { title: forQuickPickTitle(`Restart ${t.id} from…`), placeHolder: 'Steps before the chosen one keep their cached results' }));
  return pick.from;
}

async function confirm(ctx: CommandContext, action: StatusAction, targets: InstanceTarget[], from: RestartFrom | undefined, rollback: boolean | undefined): Promise<boolean | undefined> {
  const what = targets.length === 1 ? `instance "${targets[0].id}"` : `${targets.length} instances`;
  const detail =
    action === 'terminate' ? 'A terminated instance cannot be resumed.' :
    action === 'restart' ? (from ? `Steps before "${from.name}" (occurrence ${from.count ?? 1}) keep their cached results; the rest run again.` : 'All steps run again from the start; intermediate state is erased.') :
    undefined;
  const buttons = [VERB[action]];
  const supportsRollback = action === 'terminate' && (await Promise.all(targets.map(async (t) => (await backendFor(ctx, t.connectionId)).capabilities.rollbackOnTerminate))).every(Boolean);
  if (supportsRollback) buttons.push('Roll Back, Then Terminate');
  const pick = must(await ctx.steps.dialog(() => vscode.window.showWarningMessage(forNotification(`${VERB[action]} ${what}?`, 400), { modal: true, detail: detail && forModalDetail(detail) }, ...buttons)));
  return pick === 'Roll Back, Then Terminate' ? true : rollback;
}
