// The step timeline: one row per step on a shared time axis. Rows are virtualised (fixed height,
// only the visible ones plus a margin are in the DOM), so 10,000 steps cost the same as 50.
import type { Timeline, TimelineRow, TimelineSegment } from '../../model/timeline';
import { fromDisplay, toDisplay } from '../../model/timeline';
import { clip, h, icon } from './dom';
import { forWebviewLine, markHidden } from '../../model/display';
import { formatAt, formatCount, formatDuration, niceTickStep, type TimeMode } from './format';

export const ROW_HEIGHT = 24;
const AXIS_HEIGHT = 28;
/** Fallback for the name column width; the stylesheet's --name-w is what counts. */
const NAME_WIDTH = 280;
/** Room after the last bar for its duration label. */
const RIGHT_PAD = 140;
const OVERSCAN = 6;
const MAX_PX_PER_MS = 40;
/** Browsers stop laying out beyond ~16 M px; stay well inside. */
const MAX_TRACK_PX = 4_000_000;
/** Longest name text put in a row; the details panel shows the rest. */
const ROW_NAME_CHARS = 300;

export interface ViewPosition {
  scrollTop: number;
  scrollLeft: number;
  pxPerMs?: number;
}

export interface TimelineViewCallbacks {
  onSelect(row: TimelineRow | undefined): void;
  /** Enter on a row: move focus to its details. */
  onActivate(row: TimelineRow): void;
  onViewChange(position: ViewPosition): void;
}

const KIND_ICON: Record<TimelineRow['kind'], string> = {
  step: 'symbol-method',
  rollback: 'discard',
  sleep: 'watch',
  waitForEvent: 'bell',
  unknown: 'question',
};

const OUTCOME_ICON: Record<TimelineRow['outcome'], string> = {
  success: 'pass',
  failed: 'error',
  running: 'loading',
  retrying: 'sync',
  sleeping: 'clock',
  waiting: 'bell-dot',
  received: 'mail',
  timedOut: 'watch',
  cancelled: 'circle-slash',
  unknown: 'circle-large-outline',
};

export const OUTCOME_LABEL: Record<TimelineRow['outcome'], string> = {
  success: 'succeeded',
  failed: 'failed',
  running: 'running',
  retrying: 'retrying',
  sleeping: 'sleeping',
  waiting: 'waiting for event',
  received: 'event received',
  timedOut: 'timed out',
  cancelled: 'cancelled',
  unknown: 'unknown',
};

export const KIND_LABEL: Record<TimelineRow['kind'], string> = {
  step: 'step',
  rollback: 'rollback',
  sleep: 'sleep',
  waitForEvent: 'wait for event',
  unknown: 'unknown type',
};

/** When markers share a spot, the more telling label wins. */
const MARKER_PRIORITY: Record<Timeline['markers'][number]['kind'], number> = { termination: 0, rollback: 1, end: 2, now: 3, start: 4, queued: 5 };

const SEGMENT_LABEL: Record<TimelineSegment['kind'], string> = { attempt: 'Attempt', backoff: 'Backoff', sleep: 'Sleep', wait: 'Wait', span: 'Step' };

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A row's elements, kept so a recycled row is refilled without searching its subtree. */
interface RowParts {
  row: HTMLDivElement;
  kind: HTMLSpanElement;
  labelText: Text;
  suffix: HTMLSpanElement;
  attempts: HTMLSpanElement;
  outcome: HTMLSpanElement;
  track: HTMLDivElement;
}

function createRowParts(): RowParts {
  const kind = icon('blank', 'tl-kind');
  const labelText = document.createTextNode('');
  const suffix = h('span', { class: 'tl-suffix' });
  const attempts = h('span', { class: 'tl-attempts' });
  const outcome = icon('blank', 'tl-outcome');
  const track = h('div', { class: 'tl-track' });
  const name = h('div', { class: 'tl-name' }, kind, h('span', { class: 'tl-label' }, labelText, suffix), attempts, outcome);
  const row = h('div', { attrs: { role: 'option' } }, name, track);
  return { row, kind, labelText, suffix, attempts, outcome, track };
}

export class TimelineView {
  readonly element: HTMLDivElement;
  private readonly axis: HTMLDivElement;
  private readonly ticks: HTMLDivElement;
  private readonly corner: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly rowsLayer: HTMLDivElement;
  private readonly decor: HTMLDivElement;
  private readonly empty: HTMLDivElement;

  private timeline: Timeline | undefined;
  private readonly indexByName = new Map<string, number>();
  private readonly rendered = new Map<number, RowParts>();
  private readonly pool: RowParts[] = [];
  private selectedIndex = -1;
  private zoom: number | undefined;
  private px = 1;
  private timeMode: TimeMode = 'relative';
  private frame = 0;
  private width = 0;
  private pendingRestore: ViewPosition | undefined;
  private nameW = NAME_WIDTH;
  private horizontalKey = '';

  constructor(private readonly callbacks: TimelineViewCallbacks) {
    this.corner = h('div', { class: 'tl-corner' }, 'Step');
    this.ticks = h('div', { class: 'tl-ticks' });
    this.axis = h('div', { class: 'tl-axis', attrs: { 'aria-hidden': 'true' } }, this.corner, this.ticks);
    this.decor = h('div', { class: 'tl-decor', attrs: { 'aria-hidden': 'true' } });
    this.rowsLayer = h('div', { class: 'tl-rows', attrs: { role: 'none' } });
    this.body = h('div', { class: 'tl-body', attrs: { role: 'none' } }, this.decor, this.rowsLayer);
    this.empty = h('div', { class: 'tl-empty', attrs: { hidden: true } }, 'No steps yet.');
    this.element = h(
      'div',
      {
        class: 'tl-scroller',
        attrs: { role: 'listbox', tabindex: 0, 'aria-label': 'Steps', 'aria-multiselectable': 'false' },
        on: {
          scroll: () => this.schedule(),
          keydown: (e) => this.onKey(e),
          click: (e) => this.onClick(e),
        },
      },
      this.axis,
      this.body,
      this.empty,
    );
    // Ctrl/Cmd + wheel zooms around the pointer; a plain wheel scrolls as usual.
    this.element.addEventListener(
      'wheel',
      (e) => {
        if (!e.ctrlKey && !e.metaKey) return;
        e.preventDefault();
        const rect = this.element.getBoundingClientRect();
        this.zoomBy(Math.exp(-e.deltaY * 0.0025), e.clientX - rect.left);
      },
      { passive: false },
    );
    new ResizeObserver(() => {
      if (this.element.clientWidth !== this.width) this.render(true);
    }).observe(this.element);
  }

  get rowCount(): number {
    return this.timeline?.rows.length ?? 0;
  }

  get selectedRow(): TimelineRow | undefined {
    return this.timeline?.rows[this.selectedIndex];
  }

  get position(): ViewPosition {
    return { scrollTop: this.element.scrollTop, scrollLeft: this.element.scrollLeft, pxPerMs: this.zoom };
  }

  get pxPerMs(): number {
    return this.px;
  }

  /** Applied with the first data, once the content is tall and wide enough to scroll. */
  restore(position: ViewPosition): void {
    this.zoom = position.pxPerMs;
    this.pendingRestore = position;
    if (this.timeline) this.applyRestore();
  }

  private applyRestore(): void {
    const p = this.pendingRestore;
    if (!p) return;
    this.pendingRestore = undefined;
    this.render(true, p);
  }

  setTimeMode(mode: TimeMode): void {
    this.timeMode = mode;
    this.render(true);
  }

  /** New data (a live update or a toggle): the selection follows the step name, scroll and zoom stay. */
  setData(timeline: Timeline, selectedName?: string): void {
    const previous = selectedName ?? this.selectedRow?.name;
    this.timeline = timeline;
    this.indexByName.clear();
    timeline.rows.forEach((r, i) => this.indexByName.set(r.name, i));
    this.selectedIndex = previous !== undefined ? (this.indexByName.get(previous) ?? -1) : -1;
    this.element.setAttribute('aria-rowcount', String(timeline.rows.length));
    this.empty.hidden = timeline.rows.length > 0;
    if (this.pendingRestore) this.applyRestore();
    else this.render(true);
  }

  /** No instance (a preview switching to another one): rows go back to the pool until new data. */
  clear(): void {
    this.timeline = undefined;
    this.indexByName.clear();
    this.selectedIndex = -1;
    for (const parts of this.rendered.values()) {
      parts.row.remove();
      this.pool.push(parts);
    }
    this.rendered.clear();
    this.decor.replaceChildren();
    this.ticks.replaceChildren();
    this.body.style.height = '0px';
    this.empty.hidden = true;
    this.horizontalKey = '';
    this.updateActiveDescendant();
  }

  select(name: string | undefined, opts: { scroll?: boolean; notify?: boolean } = {}): void {
    const index = name === undefined ? -1 : (this.indexByName.get(name) ?? -1);
    this.selectIndex(index, opts);
  }

  private selectIndex(index: number, opts: { scroll?: boolean; notify?: boolean } = {}): void {
    const count = this.rowCount;
    const next = count === 0 || index < 0 ? -1 : clamp(index, 0, count - 1);
    const changed = next !== this.selectedIndex;
    const old = this.rendered.get(this.selectedIndex);
    if (old) this.markSelected(old.row, false);
    this.selectedIndex = next;
    if (opts.scroll !== false && next >= 0) this.scrollRowIntoView(next);
    const row = this.rendered.get(next);
    if (row) this.markSelected(row.row, true);
    this.updateActiveDescendant();
    if (changed && opts.notify !== false) this.callbacks.onSelect(this.selectedRow);
  }

  private markSelected(el: HTMLElement, selected: boolean): void {
    el.classList.toggle('selected', selected);
    el.setAttribute('aria-selected', String(selected));
  }

  private updateActiveDescendant(): void {
    if (this.selectedIndex >= 0 && this.rendered.has(this.selectedIndex)) this.element.setAttribute('aria-activedescendant', `tl-row-${this.selectedIndex}`);
    else this.element.removeAttribute('aria-activedescendant');
  }

  private scrollRowIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const viewH = this.element.clientHeight - AXIS_HEIGHT;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + ROW_HEIGHT > this.element.scrollTop + viewH) this.element.scrollTop = top + ROW_HEIGHT - viewH;
    this.render(false);
  }

  focus(): void {
    this.element.focus({ preventScroll: true });
  }

  // ---- zoom and pan ------------------------------------------------------------------------

  private fitPx(): number {
    const track = Math.max(80, this.element.clientWidth - this.nameW - RIGHT_PAD);
    const span = this.timeline?.displayEnd ?? 0;
    return span > 0 ? track / span : 1;
  }

  /** Zooms by `factor`, keeping the time under `anchorX` (px from the view's left) in place. */
  zoomBy(factor: number, anchorX?: number): void {
    if (!this.timeline) return;
    const trackViewW = this.element.clientWidth - this.nameW;
    const anchor = anchorX !== undefined && anchorX > this.nameW ? anchorX - this.nameW : trackViewW / 2;
    const atDisplay = (this.element.scrollLeft + anchor) / this.px;
    const fit = this.fitPx();
    const maxPx = Math.max(fit, Math.min(MAX_PX_PER_MS, MAX_TRACK_PX / Math.max(1, this.timeline.displayEnd)));
    const next = clamp(this.px * factor, fit, maxPx);
    this.zoom = next <= fit * 1.0001 ? undefined : next;
    this.render(true);
    this.element.scrollLeft = atDisplay * this.px - anchor;
    this.render(false);
    this.notifyView();
  }

  fit(): void {
    this.zoom = undefined;
    this.render(true);
    this.element.scrollLeft = 0;
    this.notifyView();
  }

  pan(fraction: number): void {
    this.element.scrollLeft += fraction * (this.element.clientWidth - this.nameW);
  }

  private notifyView(): void {
    this.callbacks.onViewChange(this.position);
  }

  // ---- input -------------------------------------------------------------------------------

  private onClick(e: MouseEvent): void {
    const rowEl = (e.target as Element).closest<HTMLElement>('.tl-row');
    if (!rowEl) return;
    this.selectIndex(Number(rowEl.dataset.index), { scroll: false });
    this.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor((this.element.clientHeight - AXIS_HEIGHT) / ROW_HEIGHT) - 1);
    const current = this.selectedIndex;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.selectIndex(current < 0 ? this.firstVisible() : current + 1);
        break;
      case 'ArrowUp':
        this.selectIndex(current < 0 ? this.firstVisible() : current - 1);
        break;
      case 'PageDown':
        this.selectIndex(Math.max(0, current) + page);
        break;
      case 'PageUp':
        this.selectIndex(Math.max(0, current) - page);
        break;
      case 'Home':
        this.selectIndex(0);
        break;
      case 'End':
        this.selectIndex(this.rowCount - 1);
        break;
      case 'Enter':
      case ' ':
        if (this.selectedRow) this.callbacks.onActivate(this.selectedRow);
        else this.selectIndex(this.firstVisible());
        break;
      case 'ArrowLeft':
        this.pan(-0.25);
        break;
      case 'ArrowRight':
        this.pan(0.25);
        break;
      case '+':
      case '=':
        this.zoomBy(1.5);
        break;
      case '-':
        this.zoomBy(1 / 1.5);
        break;
      case '0':
        this.fit();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  private firstVisible(): number {
    return Math.min(this.rowCount - 1, Math.ceil(this.element.scrollTop / ROW_HEIGHT));
  }

  // ---- rendering ---------------------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render(false);
      this.notifyView();
    });
  }

  private x(t: number): number {
    return toDisplay(this.timeline!, t) * this.px;
  }

  /**
   * `relayout`: sizes, axis and the rows on screen are redone; otherwise only rows entering view
   * are added. `scrollTo` is applied right after sizing, so a restore costs one layout, not three.
   */
  render(relayout: boolean, scrollTo?: ViewPosition): void {
    const tl = this.timeline;
    if (!tl) return;
    if (relayout) {
      this.width = this.element.clientWidth;
      this.nameW = parseFloat(getComputedStyle(this.element).getPropertyValue('--name-w')) || NAME_WIDTH;
      const fit = this.fitPx();
      const maxPx = Math.max(fit, MAX_TRACK_PX / Math.max(1, tl.displayEnd));
      this.px = clamp(this.zoom ?? fit, fit, maxPx);
      const width = this.nameW + Math.ceil(tl.displayEnd * this.px) + RIGHT_PAD;
      this.body.style.width = `${width}px`;
      this.axis.style.width = `${width}px`;
      this.body.style.height = `${tl.rows.length * ROW_HEIGHT}px`;
      if (scrollTo) {
        this.element.scrollTop = scrollTo.scrollTop;
        this.element.scrollLeft = scrollTo.scrollLeft;
      }
      // New data or geometry: refill the rows on screen in place.
      for (const [i, parts] of this.rendered) {
        if (i < tl.rows.length) this.fillRow(parts, tl.rows[i], i, tl.rows.length);
        else {
          parts.row.remove();
          this.rendered.delete(i);
          this.pool.push(parts);
        }
      }
    }
    this.renderRows();
    // Axis and decorations depend on the horizontal view only: vertical scrolling skips them.
    const horizontal = `${this.element.scrollLeft}|${this.px}|${this.width}|${this.timeMode}`;
    if (relayout || horizontal !== this.horizontalKey) {
      this.horizontalKey = horizontal;
      this.renderAxis();
      this.renderDecor();
    }
    this.updateActiveDescendant();
  }

  private renderRows(): void {
    const tl = this.timeline!;
    const top = this.element.scrollTop;
    const viewH = this.element.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(tl.rows.length - 1, Math.ceil((top + viewH) / ROW_HEIGHT) + OVERSCAN);
    for (const [i, parts] of this.rendered) {
      if (i < first || i > last) {
        parts.row.remove();
        this.rendered.delete(i);
        this.pool.push(parts);
      }
    }
    const frag = document.createDocumentFragment();
    for (let i = first; i <= last; i++) {
      if (this.rendered.has(i)) continue;
      // Rows that scrolled out are reused: scrolling creates (and collects) almost no elements.
      const parts = this.pool.pop() ?? createRowParts();
      this.fillRow(parts, tl.rows[i], i, tl.rows.length);
      this.rendered.set(i, parts);
      frag.appendChild(parts.row);
    }
    this.rowsLayer.appendChild(frag);
  }

  private fillRow(p: RowParts, r: TimelineRow, i: number, count: number): void {
    const selected = i === this.selectedIndex;
    const duration = r.durationMs !== undefined ? formatDuration(r.durationMs) : '';
    const row = p.row;
    row.className = `tl-row kind-${r.kind} outcome-${r.outcome}${selected ? ' selected' : ''}`;
    row.id = `tl-row-${i}`;
    row.dataset.index = String(i);
    row.setAttribute('aria-selected', String(selected));
    row.setAttribute('aria-posinset', String(i + 1));
    row.setAttribute('aria-setsize', String(count));
    row.setAttribute('aria-label', `${forWebviewLine(r.name, 200)}, ${KIND_LABEL[r.kind]}, ${OUTCOME_LABEL[r.outcome]}${duration ? `, ${duration}` : ''}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''}`);
    row.style.top = `${i * ROW_HEIGHT}px`;

    const suffix = `-${r.occurrence}`;
    const hasSuffix = r.base + suffix === r.name;
    p.kind.className = `codicon codicon-${KIND_ICON[r.kind]} tl-kind`;
    p.labelText.data = markHidden(clip(hasSuffix ? r.base : r.name, ROW_NAME_CHARS));
    p.suffix.textContent = hasSuffix ? suffix : '';
    p.attempts.textContent = r.attempts > 1 ? `×${r.attempts}` : '';
    p.attempts.title = r.attempts > 1 ? `${r.attempts} attempts` : '';
    p.outcome.className = `codicon codicon-${OUTCOME_ICON[r.outcome]} tl-outcome${r.open ? ' codicon-modifier-spin' : ''}`;

    const bars: HTMLElement[] = [];
    let lastX = 0;
    for (const s of r.segments) {
      const left = this.x(s.start);
      const right = this.x(s.end);
      const seg = h('div', { class: `seg seg-${s.kind} so-${s.outcome}${s.open ? ' open' : ''}`, title: segmentTitle(s) });
      seg.style.left = `${left}px`;
      seg.style.width = `${Math.max(2, right - left)}px`;
      bars.push(seg);
      lastX = Math.max(lastX, left + Math.max(2, right - left));
      if (s.expectedEnd !== undefined && s.expectedEnd > s.end) {
        const planned = h('div', { class: 'seg seg-planned', title: `Next attempt planned at ${formatAt(s.expectedEnd, this.timeline!.origin, this.timeMode)}` });
        const pl = this.x(s.expectedEnd);
        planned.style.left = `${right}px`;
        planned.style.width = `${Math.max(2, pl - right)}px`;
        bars.push(planned);
        lastX = Math.max(lastX, pl);
      }
    }
    if (r.receivedAt !== undefined) {
      const mark = h('div', { class: 'tl-received', title: 'Event received' });
      mark.style.left = `${this.x(r.receivedAt)}px`;
      bars.push(mark);
    }
    const note = r.kind === 'waitForEvent' && r.eventType ? `${duration} · ${forWebviewLine(r.eventType, 100)}` : duration;
    if (note) {
      const text = h('span', { class: 'tl-dur' }, note);
      text.style.left = `${lastX + 6}px`;
      bars.push(text);
    }
    p.track.replaceChildren(...bars);
  }

  private renderAxis(): void {
    const tl = this.timeline!;
    const left = this.element.scrollLeft;
    const viewW = this.element.clientWidth - this.nameW;
    const from = Math.max(0, left / this.px);
    const to = Math.min(tl.displayEnd, (left + viewW) / this.px);
    const step = niceTickStep(this.px, 90);
    const frag = document.createDocumentFragment();
    const startTick = Math.ceil(from / step) * step;
    for (let d = startTick, n = 0; d <= to + 1e-9 && n < 200; d += step, n++) {
      const tick = h('div', { class: 'tl-tick' }, formatAt(fromDisplay(tl, d), tl.origin, this.timeMode));
      tick.style.left = `${this.nameW + d * this.px}px`;
      frag.appendChild(tick);
    }
    // Markers close together (queued and started, ended and terminated) keep their line but only
    // the first keeps its label; the rest say it in their tooltip.
    let labelEnd = -Infinity;
    for (const m of [...tl.markers].sort((a, b) => a.at - b.at || MARKER_PRIORITY[a.kind] - MARKER_PRIORITY[b.kind])) {
      const x = this.nameW + this.x(m.at);
      const fits = x >= labelEnd;
      const flag = h('div', { class: `tl-flag flag-${m.kind}`, title: `${m.label} · ${formatAt(m.at, tl.origin, this.timeMode)}` }, fits ? m.label : '');
      flag.style.left = `${x}px`;
      if (fits) labelEnd = x + m.label.length * 7 + 10;
      frag.appendChild(flag);
    }
    this.ticks.replaceChildren(frag);
    const shown = tl.rows.length;
    const corner = `${formatCount(shown)} step${shown === 1 ? '' : 's'}`;
    if (this.corner.textContent !== corner) this.corner.textContent = corner;
  }

  private renderDecor(): void {
    const tl = this.timeline!;
    const frag = document.createDocumentFragment();
    const left = this.element.scrollLeft;
    const right = left + this.element.clientWidth;
    let gaps = 0;
    for (const g of tl.gaps) {
      const x0 = this.nameW + this.x(g.start);
      const x1 = this.nameW + this.x(g.end);
      if (x1 < left || x0 > right) continue;
      if (++gaps > 300) break;
      const band = h('div', { class: 'tl-gap', title: `${formatDuration(g.end - g.start)} of idle time hidden` });
      band.style.left = `${x0}px`;
      band.style.width = `${Math.max(2, x1 - x0)}px`;
      frag.appendChild(band);
    }
    for (const m of tl.markers) {
      const line = h('div', { class: `tl-line line-${m.kind}` });
      line.style.left = `${this.nameW + this.x(m.at)}px`;
      frag.appendChild(line);
    }
    this.decor.replaceChildren(frag);
  }
}

function segmentTitle(s: TimelineSegment): string {
  const label = s.kind === 'attempt' ? `Attempt ${s.attempt ?? ''}`.trim() : SEGMENT_LABEL[s.kind];
  const outcome = s.outcome === 'failure' ? 'failed' : s.outcome;
  const error = s.error ? ` · ${s.error.name}: ${s.error.message}` : '';
  return clip(`${label} · ${outcome} · ${formatDuration(s.end - s.start)}${s.open ? ' so far' : ''}${error}`, 400);
}
