// The instance view: receives host messages, keeps the UI state (selection, scroll, zoom, toggles)
// across live updates and reloads, and lays out header, cards, timeline and step details.
import { deriveState } from '../../model/derived';
import { forWebviewLine } from '../../model/display';
import { stepToOpenAt } from '../../model/openAt';
import { isFinal } from '../../model/status';
import { buildTimeline, type Timeline, type TimelineRow } from '../../model/timeline';
import type { InstanceDetails } from '../../model/types';
import type { HostToWebview, InstanceMeta, WebviewAction } from '../protocol';
import { button, h, icon } from './dom';
import { formatCount, formatDuration, type TimeMode } from './format';
import { renderHeader, renderIo } from './header';
import { textBlock } from './jsonView';
import { renderStepDetails, type FullOutputState } from './stepDetails';
import { TimelineView } from './timelineView';
import { Host } from './vscodeApi';

/** Above this many rows the 1 s "now" tick would rebuild too much; polling updates still arrive. */
const TICK_MAX_ROWS = 3000;

const ACTION_NAMES: Record<WebviewAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  terminate: 'Terminate',
  restart: 'Restart',
  sendEvent: 'Send event',
  restartFromStep: 'Restart from step',
};

const REQUEST_NAMES: Record<string, string> = { copy: 'Copy', openJson: 'Open in editor', goToSource: 'Go to step source' };

/** Resolves when the codicon font has loaded, failed, or `ms` passed, whichever is first. */
function whenIconFontLoaded(ms: number): Promise<void> {
  const loaded = document.fonts?.load('16px codicon').then(() => undefined, () => undefined) ?? Promise.resolve();
  return Promise.race([loaded, new Promise<void>((r) => setTimeout(r, ms))]);
}

export class App {
  private readonly host = new Host();
  private readonly banner = h('div', { class: 'banner-slot', attrs: { 'aria-live': 'polite' } });
  private readonly headerSlot = h('div', { class: 'header-slot' });
  private readonly ioSlot = h('div', { class: 'io-slot' });
  private readonly summary = h('span', { class: 'tl-summary' });
  private readonly detailsPane = h('aside', { class: 'details-pane', attrs: { 'aria-label': 'Step details', tabindex: -1 } });
  private readonly timelineView: TimelineView;
  private readonly timeButtons: Record<TimeMode, HTMLButtonElement>;
  private readonly idleToggle: HTMLInputElement;

  private details: InstanceDetails | undefined;
  private meta: InstanceMeta | undefined;
  private timeline: Timeline | undefined;
  private readonly fullOutputs = new Map<string, FullOutputState>();
  private pendingAction: WebviewAction | undefined;
  private ioKey = '';
  private detailsKey = '';
  private tick: ReturnType<typeof setInterval> | undefined;
  private pendingSelect: string | undefined;

  constructor(private readonly root: HTMLElement) {
    const ui = this.host.ui;
    this.timelineView = new TimelineView({
      onSelect: (row) => {
        this.host.updateUi({ selected: row?.name });
        this.renderDetails();
      },
      onActivate: () => {
        this.renderDetails();
        this.detailsPane.querySelector<HTMLElement>('.step-name')?.focus();
      },
      onViewChange: (p) => this.host.updateUi({ scrollTop: p.scrollTop, scrollLeft: p.scrollLeft, pxPerMs: p.pxPerMs }),
    });
    this.timelineView.restore({ scrollTop: ui.scrollTop, scrollLeft: ui.scrollLeft, pxPerMs: ui.pxPerMs });
    this.timelineView.setTimeMode(ui.timeMode);

    const timeButton = (mode: TimeMode, label: string) =>
      h('button', { class: 'seg-button', attrs: { type: 'button', 'aria-pressed': String(ui.timeMode === mode), 'data-time-mode': mode }, on: { click: () => this.setTimeMode(mode) } }, label);
    this.timeButtons = { relative: timeButton('relative', 'Relative'), absolute: timeButton('absolute', 'Clock') };
    this.idleToggle = h('input', { attrs: { type: 'checkbox', id: 'hide-idle' }, on: { change: () => this.setHideIdle(this.idleToggle.checked) } });
    this.idleToggle.checked = ui.hideIdle;

    const tv = this.timelineView;
    const toolbar = h(
      'div',
      { class: 'tl-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Timeline' } },
      h('h2', { class: 'tl-heading' }, 'Timeline'),
      button('Zoom out', 'zoom-out', () => tv.zoomBy(1 / 1.5), { iconOnly: true, secondary: true, attrs: { 'data-zoom': 'out' } }),
      button('Zoom in', 'zoom-in', () => tv.zoomBy(1.5), { iconOnly: true, secondary: true, attrs: { 'data-zoom': 'in' } }),
      button('Fit to width', 'screen-normal', () => tv.fit(), { iconOnly: true, secondary: true, attrs: { 'data-zoom': 'fit' } }),
      button('Pan left', 'arrow-left', () => tv.pan(-0.5), { iconOnly: true, secondary: true }),
      button('Pan right', 'arrow-right', () => tv.pan(0.5), { iconOnly: true, secondary: true }),
      h('span', { class: 'seg-group', attrs: { role: 'group', 'aria-label': 'Time labels' } }, this.timeButtons.relative, this.timeButtons.absolute),
      h('label', { class: 'check', attrs: { for: 'hide-idle' } }, this.idleToggle, 'Hide idle time'),
      this.summary,
    );

    this.detailsPane.append(h('p', { class: 'muted placeholder' }, 'Select a step to see its attempts, config and output.'));
    const timelineSection = h('section', { class: 'timeline-section', attrs: { 'aria-label': 'Timeline' } }, toolbar, h('div', { class: 'tl-split' }, tv.element, this.detailsPane));
    root.replaceChildren(this.banner, this.headerSlot, this.ioSlot, timelineSection);
    this.showLoading();

    this.host.onMessage((m) => this.onMessage(m));
    // Say `ready` only once the icon font has loaded. The font is fetched lazily, when the first icon
    // paints; a panel hidden while that fetch is in flight leaves it open in VS Code's webview service
    // worker for its 30 s timeout, and no new webview loads until then (the "second panel never
    // reported" flake; see test/integration/suite/webview.test.ts). Bounded, so `ready` always goes.
    void whenIconFontLoaded(2000).then(() => this.host.post({ type: 'ready' }));
  }

  private onMessage(m: HostToWebview): void {
    switch (m.type) {
      case 'init':
        // A preview panel switching instance: same page, the other instance's own UI state.
        if (this.host.setTarget(m.target, m.generation ?? 0)) this.resetView();
        document.title = forWebviewLine(`${m.target.workflow} / ${m.target.id}`);
        break;
      case 'loading':
        if (!this.details) this.showLoading();
        break;
      case 'instance':
        this.clearBanner('fetch');
        this.setInstance(m.details, m.meta);
        break;
      case 'error':
        this.showBanner('fetch', this.details ? `Could not refresh: ${m.message}` : `Could not load the instance: ${m.message}`, true);
        if (!this.details) this.root.setAttribute('aria-busy', 'false');
        break;
      case 'selectStep':
        // Before the first data there is nothing to select yet: remember it for then.
        if (this.timeline) this.timelineView.select(m.name, { scroll: true });
        else this.pendingSelect = m.name;
        break;
      case 'fullOutput':
        this.fullOutputs.set(m.step, m.error !== undefined ? { error: m.error } : { output: m.output });
        this.renderDetails(true);
        break;
      case 'requestFailed':
        this.showBanner('request', `${REQUEST_NAMES[m.request] ?? m.request} failed: ${m.message}`, false);
        break;
      case 'actionResult':
        this.pendingAction = undefined;
        if (m.ok) this.clearBanner('action');
        else this.showBanner('action', `${ACTION_NAMES[m.action] ?? m.action} failed: ${m.message ?? 'unknown error'}`, false);
        this.renderHeader();
        break;
    }
  }

  /** Forgets the instance shown so far and takes the UI state (selection, scroll, zoom) of the new one. */
  private resetView(): void {
    const ui = this.host.ui;
    this.details = undefined;
    this.meta = undefined;
    this.timeline = undefined;
    this.fullOutputs.clear();
    this.pendingAction = undefined;
    this.pendingSelect = undefined;
    this.ioKey = '';
    this.detailsKey = '';
    this.banner.replaceChildren();
    this.ioSlot.replaceChildren();
    this.summary.textContent = '';
    this.timelineView.clear();
    this.timelineView.restore({ scrollTop: ui.scrollTop, scrollLeft: ui.scrollLeft, pxPerMs: ui.pxPerMs });
    this.timelineView.setTimeMode(ui.timeMode);
    for (const [mode, b] of Object.entries(this.timeButtons)) b.setAttribute('aria-pressed', String(mode === ui.timeMode));
    this.idleToggle.checked = ui.hideIdle;
    this.renderDetails();
    this.updateTicking();
    this.showLoading();
  }

  private showLoading(): void {
    this.root.setAttribute('aria-busy', 'true');
    this.headerSlot.replaceChildren(h('div', { class: 'loading' }, icon('loading', 'codicon-modifier-spin'), 'Loading instance…'));
  }

  private showBanner(kind: string, message: string, retry: boolean): void {
    this.clearBanner(kind);
    const el = h(
      'div',
      { class: 'banner banner-error', attrs: { role: 'alert', 'data-banner': kind } },
      icon('warning'),
      h('span', { class: 'banner-text' }, textBlock(message, 1000)),
      retry ? button('Retry', 'refresh', () => this.host.post({ type: 'refresh' }), { secondary: true }) : null,
      button('Dismiss', 'close', () => el.remove(), { iconOnly: true, secondary: true }),
    );
    this.banner.append(el);
  }

  private clearBanner(kind: string): void {
    this.banner.querySelector(`[data-banner="${kind}"]`)?.remove();
  }

  private setInstance(details: InstanceDetails, meta: InstanceMeta): void {
    const first = !this.details;
    this.details = details;
    this.meta = meta;
    this.root.setAttribute('aria-busy', 'false');
    // Everything above the timeline first: the timeline then measures its final size in one layout.
    this.timeline = this.computeTimeline();
    this.renderHeader();
    this.renderIo();
    this.rebuildTimeline(this.timeline);
    if (this.pendingSelect !== undefined) {
      this.timelineView.select(this.pendingSelect, { scroll: true });
      this.pendingSelect = undefined;
    } else if (first && !this.timelineView.selectedRow && this.timeline) {
      // Nothing chosen for this instance yet: open at the failing step, the wait, or the step running now.
      const at = stepToOpenAt(this.timeline, details.status);
      if (at !== undefined) this.timelineView.select(at, { scroll: true });
    }
    this.renderDetails();
    this.updateTicking();
  }

  private computeTimeline(): Timeline | undefined {
    return this.details ? buildTimeline(this.details, { now: Date.now(), hideIdle: this.host.ui.hideIdle }) : undefined;
  }

  private rebuildTimeline(computed?: Timeline): void {
    const timeline = computed ?? this.computeTimeline();
    if (!timeline) return;
    const ui = this.host.ui;
    this.timeline = timeline;
    this.timelineView.setData(this.timeline, this.timelineView.selectedRow?.name ?? ui.selected);
    const t = this.timeline.totals;
    const parts = [`${formatCount(t.steps)} steps`];
    if (t.retries) parts.push(`${formatCount(t.retries)} retries`);
    if (t.spanMs > 0) parts.push(`busy ${formatDuration(t.busyMs)} of ${formatDuration(t.spanMs)}`);
    this.summary.textContent = parts.join(' · ');
  }

  private renderHeader(): void {
    if (!this.details || !this.meta) return;
    const now = Date.now();
    // The header is rebuilt on every update; keep keyboard focus on the same control, but only while
    // this frame has the focus: a frame keeps its last focused element after the user moved on, and
    // focusing it again from a background update would take the focus from the workbench.
    const active = document.activeElement;
    const focusKey = document.hasFocus() && active instanceof HTMLElement && this.headerSlot.contains(active) ? (active.getAttribute('data-action') ?? active.getAttribute('aria-label') ?? active.textContent) : undefined;
    this.headerSlot.replaceChildren(
      renderHeader({
        details: this.details,
        meta: this.meta,
        derived: deriveState(this.details, now),
        now,
        pendingAction: this.pendingAction,
        post: (msg) => this.host.post(msg),
        onAction: (action) => this.runAction(action),
      }),
    );
    if (focusKey) {
      const again = [...this.headerSlot.querySelectorAll<HTMLElement>('button')].find((b) => (b.getAttribute('data-action') ?? b.getAttribute('aria-label') ?? b.textContent) === focusKey);
      again?.focus();
    }
  }

  private runAction(action: WebviewAction, step?: string): void {
    this.pendingAction = action;
    this.host.post(step !== undefined ? { type: 'action', action, step } : { type: 'action', action });
    this.renderHeader();
  }

  private renderIo(): void {
    if (!this.details || !this.timeline) return;
    const d = this.details;
    // Rebuilding would fold open JSON nodes on every poll, so only do it when the content changed.
    const key = safeKey([d.params, d.output, d.error, d.rollback, d.status]);
    if (key === this.ioKey) return;
    this.ioKey = key;
    this.ioSlot.replaceChildren(
      renderIo({
        details: d,
        timeline: this.timeline,
        collapsed: this.host.ui.collapsed,
        post: (msg) => this.host.post(msg),
        onToggle: (id, collapsed) => this.host.updateUi({ collapsed: { ...this.host.ui.collapsed, [id]: collapsed } }),
        onShowStep: (name) => {
          this.timelineView.select(name, { scroll: true });
          this.timelineView.focus();
        },
      }),
    );
  }

  private renderDetails(force = false): void {
    const row = this.timelineView.selectedRow;
    if (!row || !this.details || !this.meta || !this.timeline) {
      if (this.detailsKey !== '') {
        this.detailsKey = '';
        this.detailsPane.replaceChildren(h('p', { class: 'muted placeholder' }, 'Select a step to see its attempts, config and output.'));
      }
      return;
    }
    const full = this.fullOutputs.get(row.name);
    const key = [row.name, row.index, row.outcome, row.end, row.attempts, row.segments.length, this.host.ui.timeMode, JSON.stringify(this.meta.capabilities), full ? (full.loading ? 'l' : full.error ? 'e' : 'o') : '-'].join('|');
    if (!force && key === this.detailsKey) return;
    this.detailsKey = key;
    const step = this.details.steps[row.index];
    const scroll = this.detailsPane.scrollTop;
    this.detailsPane.replaceChildren(
      renderStepDetails(row, step, {
        timeline: this.timeline,
        meta: this.meta,
        timeMode: this.host.ui.timeMode,
        fullOutput: full,
        post: (msg) => {
          if (msg.type === 'action') this.runAction(msg.action, msg.step);
          else this.host.post(msg);
        },
        requestFullOutput: (name) => this.requestFullOutput(name),
      }),
    );
    this.detailsPane.scrollTop = scroll;
  }

  private requestFullOutput(step: string): void {
    this.fullOutputs.set(step, { loading: true });
    this.host.post({ type: 'loadFullOutput', step });
    this.renderDetails(true);
  }

  private setTimeMode(mode: TimeMode): void {
    this.host.updateUi({ timeMode: mode });
    for (const [m, b] of Object.entries(this.timeButtons)) b.setAttribute('aria-pressed', String(m === mode));
    this.timelineView.setTimeMode(mode);
    this.renderDetails();
  }

  private setHideIdle(on: boolean): void {
    this.host.updateUi({ hideIdle: on });
    this.rebuildTimeline();
    this.renderDetails();
  }

  /** While live, open bars and "so far" durations move with the clock. */
  private updateTicking(): void {
    const live = !!this.details && !!this.meta?.live && !isFinal(this.details.status);
    if (live && this.tick === undefined) {
      this.tick = setInterval(() => {
        if (document.hidden) return;
        if ((this.timeline?.rows.length ?? 0) <= TICK_MAX_ROWS) this.rebuildTimeline();
        this.renderHeader();
      }, 1000);
    } else if (!live && this.tick !== undefined) {
      clearInterval(this.tick);
      this.tick = undefined;
    }
  }

  /** The selected row, for tests and the harness. */
  get selected(): TimelineRow | undefined {
    return this.timelineView.selectedRow;
  }
}

function safeKey(values: unknown[]): string {
  try {
    return JSON.stringify(values) ?? '';
  } catch {
    return String(Math.random());
  }
}
