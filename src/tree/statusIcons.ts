import * as vscode from 'vscode';
import type { InstanceStatus } from '../model/types';

const ICONS: Record<InstanceStatus, [string, string | undefined]> = {
  queued: ['clock', 'charts.yellow'],
  running: ['play-circle', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  errored: ['error', 'testing.iconFailed'],
  terminated: ['circle-slash', 'disabledForeground'],
  complete: ['pass', 'testing.iconPassed'],
  waitingForPause: ['watch', 'charts.yellow'],
  waiting: ['bell', 'charts.purple'],
  rollingBack: ['history', 'charts.orange'],
  unknown: ['question', undefined],
};

export function statusIcon(status: InstanceStatus): vscode.ThemeIcon {
  const [id, color] = ICONS[status] ?? ICONS.unknown;
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}
