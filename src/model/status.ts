// Which actions a status allows, matching the engine's state machine and the Local Explorer UI.
import type { InstanceStatus, StatusAction } from './types';
import { FINAL_STATUSES } from './types';

export function allowedActions(status: InstanceStatus): StatusAction[] {
  const actions: StatusAction[] = [];
  if (status === 'running' || status === 'waiting') actions.push('pause');
  if (status === 'paused' || status === 'waitingForPause') actions.push('resume');
  if (!FINAL_STATUSES.includes(status)) actions.push('terminate');
  actions.push('restart');
  return actions;
}

export function canSendEvent(status: InstanceStatus): boolean {
  return status === 'running' || status === 'waiting';
}

export function isFinal(status: InstanceStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export const STATUS_LABELS: Record<InstanceStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  errored: 'Errored',
  terminated: 'Terminated',
  complete: 'Complete',
  waitingForPause: 'Waiting for Pause',
  waiting: 'Waiting',
  rollingBack: 'Rolling Back',
  unknown: 'Unknown',
};

/** Splits an engine step name "reserve stock-2" into its base name and 1-based occurrence. */
export function splitStepName(name: string): { base: string; count: number } {
  // [\s\S]: names may span lines, and the suffix is always the last `-N`.
  const m = /^([\s\S]*)-(\d+)$/.exec(name);
  return m ? { base: m[1], count: Number(m[2]) } : { base: name, count: 1 };
}
