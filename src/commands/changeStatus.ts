// Pause, Resume, Terminate and Restart: one implementation, offered only where the status allows,
// with a modal confirmation for the destructive ones and the affected tree items refreshed after.
import * as vscode from 'vscode';
import { forModalDetail, forNotification, forQuickPickDescription, forQuickPickLabel, forQuickPickTitle } from '../model/display';
import { allowedActions, splitStepName } from '../model/status';
import type { InstanceStatus, RestartFrom, StatusAction } from '../model/types';
import { backendFor, type CommandContext, type InstanceTarget, must, resolveInstances } from './context';
import { runBulk } from './bulk';

export interface ChangeStatusArgs {
  /** Skip the modal confirmation (API callers that confirmed already, e.g. the webview). */
  confirmed?: boolean;
  rollback?: boolean;
  /** Restart from a step: the engine's step name ("charge card-2") or its parts. */
  fromStep?: string | RestartFrom;
}

const VERB: Record<StatusAction, string> = { pause: 'Pause', resume: 'Resume', terminate: 'Terminate', restart: 'Restart' };

export function changeStatusCommand(ctx: CommandContext, action: StatusAction) {
  return async (...args: unknown[]): Promise<void> => {
    const opts = (args.find((a) => a && typeof a === 'object' && ('confirmed' in a || 'rollback' in a || 'fromStep' in a)) ?? {}) as ChangeStatusArgs;
    const legal = (s: InstanceStatus) => allowedActions(s).includes(action);
    const targets = (await resolveInstances(ctx, args, legal)).filter((t) => !t.status || legal(t.status));
    if (targets.length === 0) {
      void vscode.window.showInformationMessage(forNotification(`${VERB[action]} is not possible for the selected instances' status.`));
      return;
    }
    let from = typeof opts.fromStep === 'string' ? toRestartFrom(opts.fromStep) : opts.fromStep;
    if (action === 'restart' && !from && !opts.confirmed && targets.length === 1) from = await pickRestartPoint(ctx, targets[0]);
    let rollback = opts.rollback;
    if (!opts.confirmed && (action === 'terminate' || action === 'restart' || targets.length > 1)) {
      rollback = await confirm(ctx, action, targets, from, rollback);
    }
    await runBulk(ctx, `${VERB[action]}`, targets, async (t) => {
      const backend = await backendFor(ctx, t.connectionId);
      await backend.changeStatus(t.workflow, t.id, action, { from, rollback: action === 'terminate' ? rollback : undefined });
    });
  };
}

export function toRestartFrom(stepName: string): RestartFrom {
  const { base, count } = splitStepName(stepName);
  return { name: base, count };
}

/** Restart from the beginning, or from one of the steps the instance ran (where the backend can). */
async function pickRestartPoint(ctx: CommandContext, t: InstanceTarget): Promise<RestartFrom | undefined> {
  const backend = await backendFor(ctx, t.connectionId);
  if (!backend.capabilities.restartFromStep) return undefined;
  const details = await backend.getInstance(t.workflow, t.id);
  const kinds = { step: 'do', sleep: 'sleep', waitForEvent: 'waitForEvent' } as const;
  const steps = details.steps.flatMap((s) => (s.type === 'step' || s.type === 'sleep' || s.type === 'waitForEvent' ? [{ name: s.name, type: kinds[s.type] }] : []));
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
  const pick = must(await vscode.window.showWarningMessage(forNotification(`${VERB[action]} ${what}?`, 400), { modal: true, detail: detail && forModalDetail(detail) }, ...buttons));
  return pick === 'Roll Back, Then Terminate' ? true : rollback;
}
