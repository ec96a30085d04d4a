// The one message protocol between the extension host and the instance webview. Both sides import
// these types; the host runs every incoming message through `parseWebviewMessage`, so a webview
// (or anything injected into it) can only ask for known things with well-formed arguments.
import type { InstanceDetails, StatusAction } from '../model/types';

/** Which instance a panel shows. Also the webview state a restored panel starts from. */
export interface PanelTarget {
  connectionId: string;
  connectionLabel: string;
  workflow: string;
  id: string;
}

/** What the current backend can do beyond the basic actions. */
export interface ViewCapabilities {
  /** Untruncated step output can be fetched (production `/step`). */
  stepOutput: boolean;
  restartFromStep: boolean;
  /** The host can map a step name to a line in the workspace. */
  goToSource: boolean;
}

export interface InstanceMeta {
  connectionLabel: string;
  workflow: string;
  id: string;
  /** Status actions legal now (see model/status.ts `allowedActions`). */
  actions: StatusAction[];
  canSendEvent: boolean;
  /** The host polls this instance while the panel is visible. */
  live: boolean;
  capabilities: ViewCapabilities;
  /** Host clock when the details were fetched (epoch ms). */
  fetchedAt: number;
  /** The event type a waitForEvent step is blocked on, when knowable. */
  pendingEventType?: string;
}

export type WebviewAction = StatusAction | 'sendEvent' | 'restartFromStep';
export const WEBVIEW_ACTIONS: readonly WebviewAction[] = ['pause', 'resume', 'terminate', 'restart', 'sendEvent', 'restartFromStep'];

export type JsonSubject = 'params' | 'output' | 'error' | 'step';
export const JSON_SUBJECTS: readonly JsonSubject[] = ['params', 'output', 'error', 'step'];

export type HostToWebview =
  /**
   * First message after `ready`, and again whenever a preview panel switches instance: which instance
   * this is (the webview persists it and keeps UI state per instance) and the view's generation,
   * which the webview puts on every message it sends so the host drops ones meant for an earlier view.
   */
  | { type: 'init'; target: PanelTarget; generation?: number }
  | { type: 'loading' }
  | { type: 'instance'; details: InstanceDetails; meta: InstanceMeta }
  /** A fetch failed; the webview keeps showing the last details it has. */
  | { type: 'error'; message: string }
  | { type: 'selectStep'; name: string }
  | { type: 'fullOutput'; step: string; output?: unknown; error?: string }
  | { type: 'actionResult'; action: WebviewAction; ok: boolean; message?: string }
  /** A request other than an action failed (e.g. no source found for a step); shown, not thrown away. */
  | { type: 'requestFailed'; request: 'copy' | 'openJson' | 'goToSource'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'action'; action: WebviewAction; step?: string }
  | { type: 'copy'; text: string }
  | { type: 'openJson'; what: JsonSubject; step?: string }
  | { type: 'goToSource'; step: string }
  | { type: 'loadFullOutput'; step: string }
  | { type: 'refresh' };

/** Limits on what the webview may send: generous for real data, small enough to refuse abuse. */
export const MESSAGE_LIMITS = {
  stepName: 10_000,
  copyText: 8 * 1024 * 1024,
  targetField: 1_000,
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function boundedString(v: unknown, max: number, allowEmpty = false): v is string {
  return typeof v === 'string' && v.length <= max && (allowEmpty || v.length > 0);
}

function optionalStep(v: unknown): { ok: true; step?: string } | { ok: false } {
  if (v === undefined) return { ok: true };
  return boundedString(v, MESSAGE_LIMITS.stepName) ? { ok: true, step: v } : { ok: false };
}

/**
 * Returns a fresh, well-typed copy of a webview message, or undefined when it is not one the host
 * accepts. Unknown fields are dropped rather than passed along.
 */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'refresh':
      return { type: 'refresh' };
    case 'action': {
      const action = value.action;
      if (typeof action !== 'string' || !(WEBVIEW_ACTIONS as readonly string[]).includes(action)) return undefined;
      const step = optionalStep(value.step);
      if (!step.ok) return undefined;
      if (action === 'restartFromStep') return step.step === undefined ? undefined : { type: 'action', action, step: step.step };
      // Only restart-from-step names a step; a stray one on other actions is dropped.
      return { type: 'action', action: action as WebviewAction };
    }
    case 'copy':
      return boundedString(value.text, MESSAGE_LIMITS.copyText, true) ? { type: 'copy', text: value.text } : undefined;
    case 'openJson': {
      const what = value.what;
      if (typeof what !== 'string' || !(JSON_SUBJECTS as readonly string[]).includes(what)) return undefined;
      const step = optionalStep(value.step);
      if (!step.ok) return undefined;
      if (what === 'step') return step.step === undefined ? undefined : { type: 'openJson', what, step: step.step };
      return { type: 'openJson', what: what as JsonSubject };
    }
    case 'goToSource':
      return boundedString(value.step, MESSAGE_LIMITS.stepName) ? { type: 'goToSource', step: value.step } : undefined;
    case 'loadFullOutput':
      return boundedString(value.step, MESSAGE_LIMITS.stepName) ? { type: 'loadFullOutput', step: value.step } : undefined;
    default:
      return undefined;
  }
}

/** The `generation` a webview message was sent under (see `init`), or undefined when it has none. */
export function messageGeneration(value: unknown): number | undefined {
  return isRecord(value) && typeof value.generation === 'number' && Number.isSafeInteger(value.generation) ? value.generation : undefined;
}

/** Validates a target read back from persisted webview state (a restored panel). */
export function parsePanelTarget(value: unknown): PanelTarget | undefined {
  if (!isRecord(value)) return undefined;
  const { connectionId, connectionLabel, workflow, id } = value;
  const max = MESSAGE_LIMITS.targetField;
  if (!boundedString(connectionId, max) || !boundedString(workflow, max) || !boundedString(id, max)) return undefined;
  const label = boundedString(connectionLabel, max, true) ? connectionLabel : connectionId;
  return { connectionId, connectionLabel: label, workflow, id };
}

/** The webview's persisted state, as far as the host reads it (the UI keeps more under `ui`). */
export interface PersistedWebviewState {
  target?: PanelTarget;
  ui?: unknown;
}

export function sameTarget(a: Pick<PanelTarget, 'connectionId' | 'workflow' | 'id'>, b: Pick<PanelTarget, 'connectionId' | 'workflow' | 'id'>): boolean {
  return a.connectionId === b.connectionId && a.workflow === b.workflow && a.id === b.id;
}

export function targetKey(t: Pick<PanelTarget, 'connectionId' | 'workflow' | 'id'>): string {
  return JSON.stringify([t.connectionId, t.workflow, t.id]);
}
