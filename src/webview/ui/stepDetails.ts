// The details of the selected step: what it is, its config, every attempt with its error, and its
// output (or the event a wait received), with the step-level actions.
import type { Timeline, TimelineRow } from '../../model/timeline';
import type { DoStep, Step, StepError, WaitForEventStep } from '../../model/types';
import { parseDuration, parseTime } from '../../model/derived';
import type { InstanceMeta, WebviewToHost } from '../protocol';
import { button, h, hasInvisibleCharacters, icon } from './dom';
import { formatAt, formatDateTime, formatDuration, type TimeMode } from './format';
import { jsonText, jsonTree, textBlock } from './jsonView';
import { KIND_LABEL, OUTCOME_LABEL } from './timelineView';

export interface FullOutputState {
  loading?: boolean;
  output?: unknown;
  error?: string;
}

export interface StepDetailsContext {
  timeline: Timeline;
  meta: InstanceMeta;
  timeMode: TimeMode;
  fullOutput?: FullOutputState;
  post(message: WebviewToHost): void;
  requestFullOutput(step: string): void;
}

function fact(label: string, value: Node | string | undefined): HTMLElement | null {
  if (value === undefined || value === '') return null;
  return h('div', { class: 'fact' }, h('dt', null, label), h('dd', null, value));
}

function when(at: number | undefined, ctx: StepDetailsContext): string | undefined {
  if (at === undefined) return undefined;
  const origin = ctx.timeline.origin;
  const main = formatAt(at, origin, ctx.timeMode);
  return origin !== undefined && ctx.timeMode === 'relative' ? `${main} (${formatDateTime(origin + at)})` : main;
}

export function errorBox(error: StepError, extra?: Node | null): HTMLElement {
  return h('div', { class: 'error-box', attrs: { role: 'group', 'aria-label': 'Error' } }, icon('error'), h('div', { class: 'error-text' }, h('span', { class: 'error-name' }, textBlock(error.name || 'Error', 300)), h('span', { class: 'error-message' }, textBlock(error.message ?? ''))), extra ?? null);
}

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'detail-section', attrs: { 'aria-label': title } }, h('h3', null, title), ...children);
}

function configSection(step: DoStep): HTMLElement | null {
  const c = step.config;
  if (!c) return null;
  const r = c.retries;
  const delay = r?.delay;
  const delayText = delay === undefined ? undefined : typeof delay === 'number' ? formatDuration(delay) : parseDuration(delay) !== undefined ? `${delay} (${formatDuration(parseDuration(delay)!)})` : String(delay);
  const timeout = c.timeout === undefined ? undefined : typeof c.timeout === 'number' ? formatDuration(c.timeout) : String(c.timeout);
  return section(
    'Config',
    h(
      'dl',
      { class: 'facts' },
      fact('Retries', r?.limit !== undefined ? `${r.limit} (up to ${r.limit + 1} attempts)` : undefined),
      fact('Delay', delayText),
      fact('Backoff', r?.backoff),
      fact('Timeout', timeout),
      fact('Sensitive', c.sensitive),
    ),
  );
}

function attemptsSection(step: DoStep, row: TimelineRow, ctx: StepDetailsContext): HTMLElement | null {
  const attempts = step.attempts ?? [];
  if (attempts.length === 0) return null;
  const origin = ctx.timeline.origin;
  const head = h('tr', null, h('th', { attrs: { scope: 'col' } }, '#'), h('th', { attrs: { scope: 'col' } }, 'Start'), h('th', { attrs: { scope: 'col' } }, 'Waited'), h('th', { attrs: { scope: 'col' } }, 'Duration'), h('th', { attrs: { scope: 'col' } }, 'Result'));
  const body = h('tbody');
  let prevEnd: number | undefined;
  attempts.forEach((a, i) => {
    const start = parseTime(a.start);
    const end = parseTime(a.end);
    const waited = prevEnd !== undefined && start !== undefined ? formatDuration(start - prevEnd) : '';
    prevEnd = end ?? prevEnd;
    const result = a.success === true ? 'succeeded' : a.success === false || a.error ? 'failed' : end === undefined ? (row.open ? 'running' : 'unfinished') : 'unknown';
    const startText = start !== undefined && origin !== undefined ? formatAt(start - origin, origin, ctx.timeMode) : '';
    body.append(
      h(
        'tr',
        { class: `attempt-${result}` },
        h('td', null, String(i + 1)),
        h('td', null, startText),
        h('td', null, waited),
        h('td', null, start !== undefined && end !== undefined ? formatDuration(end - start) : ''),
        h('td', null, h('span', { class: `result result-${result}` }, result)),
      ),
    );
    if (a.error) body.append(h('tr', { class: 'attempt-error' }, h('td', null), h('td', { attrs: { colspan: 4 } }, errorBox(a.error))));
  });
  return section(`Attempts (${attempts.length})`, h('table', { class: 'attempts' }, h('thead', null, head), body));
}

function outputSection(step: DoStep | WaitForEventStep, ctx: StepDetailsContext): HTMLElement | null {
  const full = ctx.fullOutput;
  const shown = full && 'output' in full && full.output !== undefined ? full.output : step.output;
  const hasOutput = shown !== undefined && shown !== null;
  const tools = h('div', { class: 'section-tools' });
  if (hasOutput) tools.append(button('Copy', 'copy', () => ctx.post({ type: 'copy', text: jsonText(shown) }), { secondary: true, iconOnly: true, title: 'Copy output' }));
  if (ctx.meta.capabilities.stepOutput && (step.type === 'step' || step.type === 'waitForEvent')) {
    const b = button(full?.loading ? 'Loading…' : 'Load full output', 'cloud-download', () => ctx.requestFullOutput(step.name), { secondary: true });
    b.disabled = !!full?.loading || (full !== undefined && full.output !== undefined);
    tools.append(b);
  }
  if (!hasOutput && tools.childElementCount === 0) return null;
  const title = step.type === 'waitForEvent' ? 'Received event' : 'Output';
  return section(title, tools, full?.error ? h('div', { class: 'inline-error' }, icon('warning'), textBlock(full.error, 500)) : null, hasOutput ? jsonTree(shown, 2) : h('p', { class: 'muted' }, 'No output.'));
}

export function renderStepDetails(row: TimelineRow, step: Step, ctx: StepDetailsContext): HTMLElement {
  const root = h('div', { class: 'step-details' });
  const titleRow = h(
    'div',
    { class: 'details-title' },
    icon(row.kind === 'sleep' ? 'watch' : row.kind === 'waitForEvent' ? 'bell' : row.kind === 'rollback' ? 'discard' : row.kind === 'unknown' ? 'question' : 'symbol-method'),
    h('h2', { class: 'step-name', attrs: { tabindex: -1 } }, textBlock(row.name, 500)),
    button('Copy name', 'copy', () => ctx.post({ type: 'copy', text: row.name }), { secondary: true, iconOnly: true, title: 'Copy step name' }),
  );
  root.append(titleRow);
  root.append(
    h(
      'div',
      { class: 'details-badges' },
      h('span', { class: 'pill' }, row.kind === 'unknown' && row.rawType ? `type "${row.rawType}"` : KIND_LABEL[row.kind]),
      h('span', { class: `pill outcome outcome-${row.outcome}` }, OUTCOME_LABEL[row.outcome]),
      row.occurrence > 1 ? h('span', { class: 'pill', title: 'The engine numbers repeated step names' }, `occurrence ${row.occurrence}`) : null,
    ),
  );
  if (hasInvisibleCharacters(row.name)) {
    root.append(h('div', { class: 'inline-warning' }, icon('warning'), 'This name contains invisible or bidirectional control characters; it may read differently from what it is.'));
  }

  const actions = h('div', { class: 'details-actions' });
  if (ctx.meta.capabilities.restartFromStep && row.kind !== 'unknown' && row.kind !== 'rollback') {
    actions.append(button('Restart from this step', 'debug-restart', () => ctx.post({ type: 'action', action: 'restartFromStep', step: row.name }), { secondary: true }));
  }
  if (ctx.meta.capabilities.goToSource) actions.append(button('Go to step source', 'go-to-file', () => ctx.post({ type: 'goToSource', step: row.name }), { secondary: true }));
  actions.append(button('Open step JSON', 'json', () => ctx.post({ type: 'openJson', what: 'step', step: row.name }), { secondary: true }));
  root.append(actions);

  const end = row.open ? undefined : row.end;
  root.append(
    h(
      'dl',
      { class: 'facts' },
      fact('Started', when(row.start, ctx)),
      fact('Ended', when(end, ctx)),
      fact('Duration', row.durationMs !== undefined ? `${formatDuration(row.durationMs)}${row.open ? ' so far' : ''}` : undefined),
      row.kind === 'waitForEvent' ? fact('Event type', row.eventType ?? 'not reported until received') : null,
      row.receivedAt !== undefined ? fact('Received', when(row.receivedAt, ctx)) : null,
      row.attempts > 0 ? fact('Attempts', `${row.attempts}${row.failedAttempts ? ` (${row.failedAttempts} failed)` : ''}`) : null,
    ),
  );

  const error = row.kind === 'waitForEvent' || row.kind === 'sleep' ? row.error : row.outcome === 'failed' ? row.error : undefined;
  if (error) root.append(section(row.outcome === 'timedOut' ? 'Timed out' : 'Error', errorBox(error)));

  if (step.type === 'step' || step.type === 'rollback') {
    root.append(...[configSection(step), attemptsSection(step, row, ctx), outputSection(step, ctx)].filter((x): x is HTMLElement => !!x));
  } else if (step.type === 'waitForEvent') {
    const out = outputSection(step, ctx);
    if (out) root.append(out);
  } else if (step.type === 'unknown') {
    root.append(section('Raw step', h('p', { class: 'muted' }, 'This version does not know this step type; here is what the API sent.'), jsonTree(step.raw, 2)));
  }
  return root;
}
