// The instance header (identity, status, times, actions) and the params/output/error cards.
import type { DerivedState } from '../../model/derived';
import { describeDerivedState, parseTime } from '../../model/derived';
import { STATUS_LABELS, isFinal } from '../../model/status';
import type { Timeline } from '../../model/timeline';
import type { InstanceDetails, InstanceStatus, StepError } from '../../model/types';
import type { InstanceMeta, JsonSubject, WebviewAction, WebviewToHost } from '../protocol';
import { button, clip, h, icon } from './dom';
import { errorBox } from './stepDetails';
import { formatDateTime, formatDuration } from './format';
import { jsonText, jsonTree, textBlock } from './jsonView';

const STATUS_ICON: Record<InstanceStatus, string> = {
  queued: 'history',
  running: 'loading',
  paused: 'debug-pause',
  errored: 'error',
  terminated: 'circle-slash',
  complete: 'pass-filled',
  waitingForPause: 'clock',
  waiting: 'bell',
  rollingBack: 'discard',
  unknown: 'question',
};

const ACTION_BUTTONS: { action: WebviewAction; label: string; icon: string }[] = [
  { action: 'pause', label: 'Pause', icon: 'debug-pause' },
  { action: 'resume', label: 'Resume', icon: 'debug-continue' },
  { action: 'terminate', label: 'Terminate', icon: 'debug-stop' },
  { action: 'restart', label: 'Restart', icon: 'debug-restart' },
  { action: 'sendEvent', label: 'Send Event', icon: 'send' },
];

export interface HeaderContext {
  details: InstanceDetails;
  meta: InstanceMeta;
  derived: DerivedState;
  now: number;
  pendingAction?: WebviewAction;
  post(message: WebviewToHost): void;
  onAction(action: WebviewAction): void;
}

function fact(label: string, value: Node | string | undefined | null): HTMLElement | null {
  if (value === undefined || value === null || value === '') return null;
  return h('div', { class: 'fact' }, h('dt', null, label), h('dd', null, value));
}

function time(value: string | null | undefined): string | undefined {
  const t = parseTime(value);
  return t === undefined ? undefined : formatDateTime(t);
}

export function statusBadge(status: InstanceStatus): HTMLElement {
  const live = status === 'running' || status === 'rollingBack';
  return h('span', { class: `status-badge status-${status}` }, icon(STATUS_ICON[status] ?? 'question', live ? 'codicon-modifier-spin' : ''), STATUS_LABELS[status] ?? String(status));
}

export function renderHeader(ctx: HeaderContext): HTMLElement {
  const { details: d, meta } = ctx;
  const derivedText = describeDerivedState(ctx.derived, ctx.now);
  const titleLine = h(
    'div',
    { class: 'title-line' },
    h('span', { class: 'workflow', title: 'Workflow' }, icon('type-hierarchy-sub'), textBlock(meta.workflow, 200)),
    h('span', { class: 'sep', attrs: { 'aria-hidden': 'true' } }, '/'),
    h('h1', { class: 'inst-id' }, textBlock(meta.id, 200)),
    button('Copy instance ID', 'copy', () => ctx.post({ type: 'copy', text: meta.id }), { iconOnly: true, secondary: true }),
    statusBadge(d.status),
    derivedText ? h('span', { class: `derived derived-${ctx.derived.kind}`, attrs: { role: 'status' } }, derivedText) : null,
    meta.live ? h('span', { class: 'live', title: 'Refreshing while this panel is visible' }, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), 'Live') : null,
  );

  const start = parseTime(d.start);
  const end = parseTime(d.end);
  const duration = start !== undefined ? (end ?? (isFinal(d.status) ? undefined : ctx.now)) : undefined;
  const facts = h(
    'dl',
    { class: 'facts header-facts' },
    fact('Queued', time(d.queued)),
    fact('Started', time(d.start)),
    fact('Ended', time(d.end)),
    fact('Duration', start !== undefined && duration !== undefined ? `${formatDuration(duration - start)}${end === undefined ? ' so far' : ''}` : undefined),
    fact('Steps', d.stepCount !== undefined ? String(d.stepCount) : undefined),
    fact('Trigger', d.trigger?.source ? clip(d.trigger.source, 100) : undefined),
    fact('Version', d.versionId ? clip(d.versionId, 100) : undefined),
    fact('Connection', clip(meta.connectionLabel, 200)),
  );

  const actions = h('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Instance actions' } });
  for (const a of ACTION_BUTTONS) {
    const legal = a.action === 'sendEvent' ? meta.canSendEvent : (meta.actions as string[]).includes(a.action);
    if (!legal) continue;
    const title = a.action === 'sendEvent' && meta.pendingEventType ? `Send an event (waiting for "${clip(meta.pendingEventType, 100)}")` : undefined;
    const b = button(a.label, a.icon, () => ctx.onAction(a.action), { secondary: a.action !== 'resume' && a.action !== 'sendEvent', title, attrs: { 'data-action': a.action } });
    b.disabled = ctx.pendingAction !== undefined;
    actions.append(b);
  }
  actions.append(button('Refresh', 'refresh', () => ctx.post({ type: 'refresh' }), { secondary: true, iconOnly: true }));
  return h('header', { class: 'inst-header' }, titleLine, facts, actions);
}

export interface IoContext {
  details: InstanceDetails;
  timeline: Timeline;
  collapsed: Record<string, boolean>;
  post(message: WebviewToHost): void;
  onToggle(id: string, collapsed: boolean): void;
  onShowStep(name: string): void;
}

function card(id: JsonSubject, title: string, body: HTMLElement, value: unknown, ctx: IoContext, extraClass = ''): HTMLElement {
  const collapsed = ctx.collapsed[id] === true;
  const bodyEl = h('div', { class: 'card-body', attrs: { id: `card-${id}` } }, body);
  bodyEl.hidden = collapsed;
  const chevron = icon(collapsed ? 'chevron-right' : 'chevron-down');
  const toggle = h('button', { class: 'card-toggle', attrs: { type: 'button', 'aria-expanded': String(!collapsed), 'aria-controls': `card-${id}` } }, chevron, h('span', null, title));
  toggle.addEventListener('click', () => {
    const nowCollapsed = !bodyEl.hidden;
    bodyEl.hidden = nowCollapsed;
    toggle.setAttribute('aria-expanded', String(!nowCollapsed));
    chevron.className = `codicon codicon-chevron-${nowCollapsed ? 'right' : 'down'}`;
    ctx.onToggle(id, nowCollapsed);
  });
  const tools = h(
    'div',
    { class: 'card-tools' },
    button(`Copy ${title.toLowerCase()}`, 'copy', () => ctx.post({ type: 'copy', text: jsonText(value) }), { iconOnly: true, secondary: true }),
    button('Open in Editor', 'go-to-file', () => ctx.post({ type: 'openJson', what: id }), { iconOnly: true, secondary: true }),
  );
  return h('div', { class: `card card-${id} ${extraClass}`, attrs: { 'data-card': id } }, h('div', { class: 'card-head' }, toggle, tools), bodyEl);
}

/** The step an instance error came from: the last failed row, or one whose error matches. */
export function failingStep(timeline: Timeline, error: StepError): string | undefined {
  for (let i = timeline.rows.length - 1; i >= 0; i--) {
    const r = timeline.rows[i];
    if (r.outcome === 'failed' || r.outcome === 'timedOut' || (r.error && r.error.message === error.message)) return r.name;
  }
  return undefined;
}

export function renderIo(ctx: IoContext): HTMLElement {
  const d = ctx.details;
  const cards: HTMLElement[] = [];
  cards.push(card('params', 'Params', d.params === undefined ? h('p', { class: 'muted' }, 'No params.') : jsonTree(d.params, 2), d.params, ctx));
  const hasOutput = d.output !== undefined && d.output !== null;
  if (hasOutput || isFinal(d.status)) cards.push(card('output', 'Output', hasOutput ? jsonTree(d.output, 2) : h('p', { class: 'muted' }, 'No output.'), d.output, ctx));
  if (d.error) {
    const step = failingStep(ctx.timeline, d.error);
    const stepLine = step
      ? h(
          'div',
          { class: 'error-step' },
          'In step ',
          h('button', { class: 'link-button', attrs: { type: 'button' }, on: { click: () => ctx.onShowStep(step) } }, textBlock(step, 200)),
        )
      : null;
    cards.push(card('error', 'Error', errorBox(d.error, stepLine), d.error, ctx, 'card-error'));
  }
  if (d.rollback) {
    const r = d.rollback;
    const body = h('div', null, h('p', null, `Rollback ${r.outcome ?? 'reported'}.`), r.error ? errorBox(r.error) : null);
    cards.push(h('div', { class: 'card card-rollback' }, h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, icon('discard'), 'Rollback')), h('div', { class: 'card-body' }, body)));
  }
  return h('section', { class: 'io', attrs: { 'aria-label': 'Params, output and error' } }, ...cards);
}
