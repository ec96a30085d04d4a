// The webview side of the protocol: a typed wrapper around acquireVsCodeApi(). The webview holds
// no token and makes no network request; everything goes through these messages.
import type { HostToWebview, PanelTarget, WebviewToHost } from '../protocol';
import type { TimeMode } from './format';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** UI state that survives live updates, hiding the panel and reloading the window. */
export interface UiState {
  selected?: string;
  scrollTop: number;
  scrollLeft: number;
  /** Zoom in px per ms of the display axis; undefined = fit to width. */
  pxPerMs?: number;
  timeMode: TimeMode;
  hideIdle: boolean;
  /** Collapsed sections by id. */
  collapsed: Record<string, boolean>;
}

export interface PersistedState {
  target?: PanelTarget;
  ui: UiState;
  /** A preview panel shows instances in turn: the UI state of the others, by instance, oldest first. */
  others: Record<string, UiState>;
}

/** UI states kept for instances a preview showed before (a few hundred bytes each). */
const MAX_OTHER_STATES = 50;

const DEFAULT_UI: UiState = { scrollTop: 0, scrollLeft: 0, timeMode: 'relative', hideIdle: false, collapsed: {} };

export class Host {
  private readonly api: VsCodeApi;
  private state: PersistedState;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The host's view generation (see the `init` message), sent back on every message. */
  private generation = 0;

  constructor() {
    this.api = acquireVsCodeApi();
    this.state = readState(this.api.getState());
    // Hiding the panel tears the page down: save what the debounce has not written yet.
    window.addEventListener('pagehide', () => this.saveNow());
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message.type === 'ready' ? message : { ...message, generation: this.generation });
  }

  onMessage(handler: (message: HostToWebview) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      // The host is trusted, but a stray message (e.g. from an extension's devtools) must not crash the view.
      if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') handler(data as HostToWebview);
    });
  }

  get ui(): UiState {
    return this.state.ui;
  }

  /**
   * Which instance this is now, and the generation to send back. Returns true when it is another
   * instance than before: its own UI state (selection, scroll, zoom) becomes current.
   */
  setTarget(target: PanelTarget, generation = 0): boolean {
    this.generation = generation;
    const before = this.state.target;
    const changed = before !== undefined && stateKey(before) !== stateKey(target);
    if (changed) {
      const others = { ...this.state.others, [stateKey(before)]: this.state.ui };
      const key = stateKey(target);
      const mine = others[key];
      delete others[key];
      const keys = Object.keys(others);
      for (const k of keys.slice(0, Math.max(0, keys.length - MAX_OTHER_STATES))) delete others[k];
      this.state.others = others;
      this.state.ui = mine ?? { ...DEFAULT_UI, collapsed: {} };
    }
    this.state.target = target;
    this.saveNow();
    return changed;
  }

  /** Merges a change and saves soon (scrolling updates this many times a second). */
  updateUi(patch: Partial<UiState>): void {
    this.state.ui = { ...this.state.ui, ...patch };
    if (this.saveTimer === undefined) {
      this.saveTimer = setTimeout(() => this.saveNow(), 200);
    }
  }

  private saveNow(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.api.setState(this.state);
  }
}

function stateKey(t: Pick<PanelTarget, 'connectionId' | 'workflow' | 'id'>): string {
  return JSON.stringify([t.connectionId, t.workflow, t.id]);
}

function readState(raw: unknown): PersistedState {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<PersistedState>;
  const others: Record<string, UiState> = {};
  if (s.others && typeof s.others === 'object') for (const [k, v] of Object.entries(s.others).slice(-MAX_OTHER_STATES)) others[k] = readUi(v);
  return { target: s.target, ui: readUi(s.ui), others };
}

function readUi(raw: unknown): UiState {
  const ui = (raw && typeof raw === 'object' ? raw : {}) as Partial<UiState>;
  return {
    selected: typeof ui.selected === 'string' ? ui.selected : undefined,
    scrollTop: num(ui.scrollTop, 0),
    scrollLeft: num(ui.scrollLeft, 0),
    pxPerMs: typeof ui.pxPerMs === 'number' && ui.pxPerMs > 0 ? ui.pxPerMs : undefined,
    timeMode: ui.timeMode === 'absolute' ? 'absolute' : DEFAULT_UI.timeMode,
    hideIdle: ui.hideIdle === true,
    collapsed: ui.collapsed && typeof ui.collapsed === 'object' ? { ...ui.collapsed } : {},
  };
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}
