// One open instance view, without the vscode API: following (the cloud event stream) or polling, the
// ready handshake and the handling of webview requests. instancePanel.ts wires it to a real
// WebviewPanel; tests drive it directly.
import { allowedActions, canSendEvent, isFinal } from '../model/status';
import { pendingEventType } from '../model/derived';
import type { InstanceDetails } from '../model/types';
import type { HostToWebview, InstanceMeta, JsonSubject, PanelTarget, ViewCapabilities, WebviewAction, WebviewToHost } from './protocol';
import { messageGeneration, parseWebviewMessage } from './protocol';

/** What `fetchInstance` returns: the details, and any meta the caller knows better than the defaults. */
export interface FetchedInstance {
  details: InstanceDetails;
  meta?: Partial<Omit<InstanceMeta, 'fetchedAt'>>;
}

/** A logger; a vscode LogOutputChannel fits. */
export interface PanelLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Everything the panel needs from the rest of the extension. It never talks to an API itself. */
export interface InstancePanelDeps {
  fetchInstance(target: PanelTarget, signal: AbortSignal): Promise<FetchedInstance>;
  /** Runs an action, including any confirmation or input (event type, payload) it needs. */
  runAction(target: PanelTarget, action: WebviewAction, step?: string): Promise<void>;
  /** `value` is what the panel currently shows for `what` (step: the whole step object). */
  openJson(target: PanelTarget, what: JsonSubject, step: string | undefined, value: unknown): void | Promise<void>;
  goToSource(target: PanelTarget, stepName: string): void | Promise<void>;
  loadFullOutput(target: PanelTarget, step: string): Promise<unknown>;
  /**
   * Follows the instance by its event stream from `base` (the details just fetched), or undefined when
   * it cannot (a local connection, or a stream that failed recently): the session polls then. Handlers
   * are called after this returns, in order. Absent: always poll.
   */
  follow?(target: PanelTarget, base: InstanceDetails, handlers: FollowSessionHandlers): { stop(): void } | undefined;
  log: PanelLogger;
}

export interface FollowSessionHandlers {
  /** Newer details (at most one per batch of events), with any meta the caller knows better. */
  onUpdate(fetched: FetchedInstance): void;
  /** The instance reached its final state: nothing more will come. */
  onEnd(): void;
  /** The stream cannot be had or kept: poll instead. */
  onUnavailable(reason: Error): void;
}

export interface SessionPort {
  post(message: HostToWebview): void;
  writeClipboard(text: string): PromiseLike<void>;
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SessionOptions {
  /** Live refresh interval in ms; 0 or less turns polling off. Read before each wait, so a setting change applies. */
  refreshIntervalMs: () => number;
  scheduler?: Scheduler;
  now?: () => number;
  /** Which view of the panel this is: a preview panel shows many instances in turn, each a new generation. */
  generation?: number;
  /** The webview is loaded already (a preview switching to another instance): no `ready` will come. */
  webviewReady?: boolean;
  /** Details remembered from an earlier view of this instance: painted at once, refreshed behind. */
  initial?: { details: InstanceDetails; meta: InstanceMeta };
  /** Every successful fetch, so the manager can remember it for a revisit. */
  onFetched?: (last: { details: InstanceDetails; meta: InstanceMeta }) => void;
}

const NO_CAPABILITIES: ViewCapabilities = { stepOutput: false, restartFromStep: false, goToSource: false };
/** Consecutive failures stretch the wait up to this, so a deleted instance is not hammered. */
const MAX_ERROR_BACKOFF_MS = 60_000;

const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class InstanceSession {
  private webviewReady = false;
  private visible = true;
  private disposed = false;
  private inFlight: AbortController | undefined;
  private refreshAgain = false;
  private timer: unknown;
  private failures = 0;
  private last: { details: InstanceDetails; meta: InstanceMeta } | undefined;
  private pendingSelect: string | undefined;
  /** The event stream this session follows instead of polling, while there is one. */
  private following: { stop?: () => void } | undefined;
  /** The stream failed for this view: it polls from now on (a new view tries again). */
  private streamFailed = false;
  private lastMessage: HostToWebview | undefined;
  /** When this session last fetched (not the remembered details): a `ready` right after it need not fetch again. */
  private fetchedAt: number | undefined;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  readonly generation: number;

  constructor(
    readonly target: PanelTarget,
    private readonly deps: InstancePanelDeps,
    private readonly port: SessionPort,
    private readonly options: SessionOptions,
  ) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.now = options.now ?? Date.now;
    this.generation = options.generation ?? 0;
    this.last = options.initial;
    if (options.webviewReady) this.greet();
  }

  /** Tells a loaded webview which instance it shows now, and paints what we have. */
  private greet(): void {
    this.webviewReady = true;
    this.post({ type: 'init', target: this.target, generation: this.generation });
    // Show what we have at once; fresh data follows.
    if (this.last) {
      this.post({ type: 'instance', details: this.last.details, meta: this.last.meta });
      this.flushSelection();
    }
  }

  /** The last message posted to the webview (for tests and diagnostics). */
  get lastPosted(): HostToWebview | undefined {
    return this.lastMessage;
  }

  get details(): InstanceDetails | undefined {
    return this.last?.details;
  }

  /** Polling is scheduled or a request is on its way. */
  get polling(): boolean {
    return this.timer !== undefined || this.inFlight !== undefined;
  }

  /** The view is kept current by the event stream. */
  get streaming(): boolean {
    return this.following !== undefined;
  }

  private post(message: HostToWebview): void {
    if (this.disposed || !this.webviewReady) return;
    this.lastMessage = message;
    this.port.post(message);
  }

  /**
   * The panel was shown or hidden. Hidden panels do not poll. The webview stays "ready": a torn-down
   * one says `ready` again when it is back, while forgetting readiness on a hide event left a panel
   * silent for good when that event raced the webview's first `ready` (seen as a flaky test).
   */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      // A hidden view neither polls nor holds a stream open; showing it again follows afresh.
      this.clearTimer();
      this.stopFollowing();
    } else if (this.webviewReady && !this.inFlight && this.timer === undefined) this.schedule();
  }

  selectStep(name: string): void {
    this.pendingSelect = name;
    if (this.webviewReady && this.last) this.flushSelection();
  }

  private flushSelection(): void {
    if (this.pendingSelect === undefined) return;
    const name = this.pendingSelect;
    this.pendingSelect = undefined;
    this.post({ type: 'selectStep', name });
  }

  /** Fetches now, unless a fetch is running; then one more follows it. Never two at once. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    // Whoever asks (an action elsewhere, a restart, the user) wants the instance as it is now: a
    // follower of the earlier state would overwrite that. The next schedule follows from the new details.
    this.stopFollowing();
    if (this.inFlight) {
      this.refreshAgain = true;
      return Promise.resolve();
    }
    this.clearTimer();
    return this.fetchOnce();
  }

  private async fetchOnce(): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    if (!this.last) this.post({ type: 'loading' });
    try {
      const fetched = await this.deps.fetchInstance(this.target, controller.signal);
      if (this.disposed || controller.signal.aborted) return;
      this.failures = 0;
      this.fetchedAt = this.now();
      this.accept(fetched);
    } catch (e) {
      if (this.disposed || controller.signal.aborted) return;
      this.failures++;
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.warn(`Instance view ${this.target.workflow}/${this.target.id}: ${message}`);
      this.post({ type: 'error', message });
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
    }
    if (this.refreshAgain) {
      this.refreshAgain = false;
      return this.fetchOnce();
    }
    this.schedule();
  }

  /** New details, fetched or from the stream: kept, remembered and painted. */
  private accept(fetched: FetchedInstance): void {
    this.last = { details: fetched.details, meta: this.buildMeta(fetched) };
    this.options.onFetched?.(this.last);
    this.post({ type: 'instance', details: this.last.details, meta: this.last.meta });
    this.flushSelection();
  }

  /**
   * Starts following the event stream instead of polling, when the view can (visible, loaded, live,
   * unfinished) and the connection offers it. True when the stream (or, had it failed at once, the
   * polling that replaced it) now keeps the view current.
   */
  private startFollowing(): boolean {
    if (this.following) return true;
    const follow = this.deps.follow;
    const last = this.last;
    if (!follow || this.streamFailed || !last || this.disposed || !this.visible || !this.webviewReady) return false;
    if (isFinal(last.details.status) || !(this.options.refreshIntervalMs() > 0)) return false;
    const state: { stop?: () => void } = {};
    this.following = state;
    const mine = () => this.following === state;
    let handle: { stop(): void } | undefined;
    try {
      handle = follow(this.target, last.details, {
        onUpdate: (fetched) => {
          if (mine() && !this.disposed) this.accept(fetched);
        },
        onEnd: () => {
          if (!mine()) return;
          this.following = undefined;
          this.schedule();
        },
        onUnavailable: (reason) => {
          if (!mine()) return;
          this.following = undefined;
          this.streamFailed = true;
          this.deps.log.info(`Instance view ${this.target.workflow}/${this.target.id}: polling instead of the event stream (${reason.message})`);
          this.schedule();
        },
      });
    } catch (e) {
      this.deps.log.warn(`Instance view ${this.target.workflow}/${this.target.id}: could not follow the event stream (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!handle) {
      if (mine()) this.following = undefined;
      return false;
    }
    if (!mine()) {
      // It ended (or failed) before it was handed back; whatever replaced it is already scheduled.
      handle.stop();
      return true;
    }
    state.stop = () => handle.stop();
    return true;
  }

  private stopFollowing(): void {
    const f = this.following;
    this.following = undefined;
    f?.stop?.();
  }

  private buildMeta(fetched: FetchedInstance): InstanceMeta {
    const d = fetched.details;
    const given = fetched.meta ?? {};
    return {
      connectionLabel: given.connectionLabel ?? this.target.connectionLabel,
      workflow: given.workflow ?? this.target.workflow,
      id: given.id ?? this.target.id,
      actions: given.actions ?? allowedActions(d.status),
      canSendEvent: given.canSendEvent ?? canSendEvent(d.status),
      live: !isFinal(d.status) && this.options.refreshIntervalMs() > 0,
      capabilities: { ...NO_CAPABILITIES, ...given.capabilities },
      fetchedAt: this.now(),
      pendingEventType: given.pendingEventType ?? pendingEventType(d),
    };
  }

  private schedule(): void {
    this.clearTimer();
    if (this.disposed || !this.visible || !this.webviewReady) return;
    // Stop at a final state; an action (restart) refreshes and so starts polling again.
    if (this.last && isFinal(this.last.details.status)) return this.stopFollowing();
    const interval = this.options.refreshIntervalMs();
    if (!(interval > 0)) return this.stopFollowing();
    // The stream keeps the view current: no detail requests while it does (a failing fetch polls).
    if (this.following || (this.failures === 0 && this.startFollowing())) return;
    const wait = this.failures > 0 ? Math.min(MAX_ERROR_BACKOFF_MS, Math.max(interval, interval * 2 ** this.failures)) : interval;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Handles a raw message from the webview; anything not in the protocol is logged and ignored. */
  async handleMessage(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn(`Instance view: ignored a malformed message from the webview (${describe(raw)})`);
      return;
    }
    // A click meant for the instance the preview showed a moment ago must not act on this one.
    if (message.type !== 'ready' && (messageGeneration(raw) ?? 0) !== this.generation) {
      this.deps.log.warn(`Instance view: ignored a ${message.type} meant for an instance this panel no longer shows`);
      if (message.type === 'copy' || message.type === 'openJson' || message.type === 'goToSource') this.post({ type: 'requestFailed', request: message.type, message: 'The panel shows another instance now.' });
      return;
    }
    try {
      await this.dispatch(message);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`Instance view: ${message.type} failed: ${text}`);
      if (message.type === 'copy' || message.type === 'openJson' || message.type === 'goToSource') this.post({ type: 'requestFailed', request: message.type, message: text });
    }
  }

  private stepExists(name: string): boolean {
    return this.last?.details.steps.some((s) => s.name === name) ?? false;
  }

  private async dispatch(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.greet();
        // The fetch started with the click is on its way or just landed: no second request for it.
        if (this.inFlight) return;
        const interval = this.options.refreshIntervalMs();
        if (this.fetchedAt !== undefined && this.now() - this.fetchedAt < Math.max(1000, interval)) return this.schedule();
        // Details were fetched and the stream replays from the start: following it needs no second fetch.
        if (this.fetchedAt !== undefined && this.failures === 0 && this.startFollowing()) return;
        return this.refresh();
      }
      case 'refresh':
        return this.refresh();
      case 'copy':
        return this.port.writeClipboard(message.text);
      case 'action':
        return this.runAction(message.action, message.step);
      case 'openJson':
        return this.openJson(message.what, message.step);
      case 'goToSource':
        if (!this.stepExists(message.step)) return this.refuse('goToSource', message.step);
        return this.deps.goToSource(this.target, message.step);
      case 'loadFullOutput':
        return this.loadFullOutput(message.step);
    }
  }

  private refuse(what: string, step: string): void {
    this.deps.log.warn(`Instance view: ${what} for a step this instance does not have (${describe(step)})`);
  }

  private async runAction(action: WebviewAction, step: string | undefined): Promise<void> {
    if (step !== undefined && !this.stepExists(step)) return this.refuse(action, step);
    try {
      await this.deps.runAction(this.target, action, step);
      this.post({ type: 'actionResult', action, ok: true });
    } catch (e) {
      this.post({ type: 'actionResult', action, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
    // A restart begins a new run: follow it from fresh details, not from the old run's events.
    this.stopFollowing();
    await this.refresh();
  }

  private async openJson(what: JsonSubject, step: string | undefined): Promise<void> {
    const details = this.last?.details;
    if (!details) return;
    let value: unknown;
    if (what === 'step') {
      value = details.steps.find((s) => s.name === step);
      if (value === undefined) return this.refuse('openJson', step ?? '');
    } else value = details[what];
    await this.deps.openJson(this.target, what, step, value);
  }

  private async loadFullOutput(step: string): Promise<void> {
    if (!this.stepExists(step)) return this.refuse('loadFullOutput', step);
    try {
      const output = await this.deps.loadFullOutput(this.target, step);
      this.post({ type: 'fullOutput', step, output });
    } catch (e) {
      this.post({ type: 'fullOutput', step, error: e instanceof Error ? e.message : String(e) });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.stopFollowing();
    this.inFlight?.abort();
    this.inFlight = undefined;
  }
}

/** A short, safe description of an untrusted value for the log. */
function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
