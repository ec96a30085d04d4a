// Instance panels in VS Code: one webview panel per instance, restored after a reload by a
// serializer, refreshed live while visible and unfinished. All data and actions come through the
// injected dependencies; the webview never holds a token or makes a request.
import * as vscode from 'vscode';
import { buildInstanceHtml, createNonce } from './html';
import type { InstanceDetails } from '../model/types';
import { forPanelTitle, forWebviewLine } from '../model/display';
import { InstanceSession, type InstancePanelDeps } from './instanceSession';
import type { HostToWebview, InstanceMeta, PanelTarget, PersistedWebviewState, WebviewToHost } from './protocol';
import { parsePanelTarget, parseWebviewMessage, targetKey } from './protocol';

export type { FetchedInstance, InstancePanelDeps, PanelLogger } from './instanceSession';
export type { HostToWebview, InstanceMeta, JsonSubject, PanelTarget, ViewCapabilities, WebviewAction, WebviewToHost } from './protocol';

export const INSTANCE_VIEW_TYPE = 'cloudflareWorkflows.instance';

export interface InstancePanelOptions {
  /** Live refresh interval in ms (the setting's value); read each time, so changes apply. 0 turns it off. */
  refreshIntervalMs: number | (() => number);
}

export interface OpenOptions {
  /** Selects this step (engine name with `-N`) once the data is shown. */
  selectStep?: string;
  /** Show it in the one reusable preview panel (a single click in the tree) instead of a panel of its own. */
  preview?: boolean;
  preserveFocus?: boolean;
  viewColumn?: vscode.ViewColumn;
}

export interface PostedMessage {
  target: PanelTarget;
  message: HostToWebview;
}

export interface ReceivedMessage {
  target: PanelTarget;
  message: WebviewToHost;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  session: InstanceSession;
  disposables: vscode.Disposable[];
  /** The reusable preview panel: a new instance replaces the old one in it. */
  preview: boolean;
}

/** Webview panel titles cannot be italic: the preview says so in words, like VS Code's "Preview README.md". */
export const PREVIEW_TITLE_PREFIX = 'Preview: ';
/** How many instances' last details are remembered for an immediate repaint on a revisit. */
const REMEMBERED_DETAILS = 12;
/** Two opens of the same instance within this are a double-click: the preview is kept open. */
const DOUBLE_CLICK_MS = 500;

export class InstancePanelManager implements vscode.Disposable {
  /** Panels of their own (pinned), by instance. */
  private readonly byKey = new Map<string, OpenPanel>();
  private previewPanel: OpenPanel | undefined;
  private generation = 0;
  private readonly remembered = new Map<string, { details: InstanceDetails; meta: InstanceMeta }>();
  private lastClick: { key: string; at: number } | undefined;
  private readonly postEmitter = new vscode.EventEmitter<PostedMessage>();
  private readonly receiveEmitter = new vscode.EventEmitter<ReceivedMessage>();
  /** Every message posted to any instance webview (tests, diagnostics). */
  readonly onDidPost: vscode.Event<PostedMessage> = this.postEmitter.event;
  /** Every accepted message from any instance webview, after validation. */
  readonly onDidReceive: vscode.Event<ReceivedMessage> = this.receiveEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: InstancePanelDeps,
    private readonly options: InstancePanelOptions,
  ) {}

  /** Registers the serializer that brings panels back after a window reload. Call once on activation. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(INSTANCE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const target = parsePanelTarget((state as PersistedWebviewState | undefined)?.target);
        if (!target || this.find(target)) {
          panel.dispose();
          return;
        }
        this.adopt(panel, target, false);
      },
    });
  }

  /**
   * Shows the instance. A panel of its own is revealed; the preview panel shows it when asked for a
   * preview (its webview stays loaded and only gets new data); opening the previewed instance for
   * good keeps the preview open as its own panel.
   */
  open(target: PanelTarget, opts: OpenOptions = {}): void {
    const key = targetKey(target);
    const existing = this.byKey.get(key) ?? (this.previewPanel && targetKey(this.previewPanel.session.target) === key ? this.previewPanel : undefined);
    if (existing) {
      if (existing.preview && !opts.preview) this.keepOpen();
      existing.panel.reveal(opts.viewColumn, opts.preserveFocus);
      if (opts.selectStep !== undefined) existing.session.selectStep(opts.selectStep);
      return;
    }
    if (opts.preview && this.previewPanel) {
      const session = this.retarget(this.previewPanel, target);
      this.previewPanel.panel.reveal(opts.viewColumn, opts.preserveFocus);
      if (opts.selectStep !== undefined) session.selectStep(opts.selectStep);
      return;
    }
    const preview = !!opts.preview;
    const panel = vscode.window.createWebviewPanel(INSTANCE_VIEW_TYPE, this.title(target, preview), { viewColumn: opts.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: opts.preserveFocus }, this.webviewOptions(preview));
    const session = this.adopt(panel, target, preview);
    if (opts.selectStep !== undefined) session.selectStep(opts.selectStep);
  }

  /**
   * A click in the tree: the preview shows it; a second click on the same instance within a
   * double-click's time (the tree runs the item's command once per click) keeps it open.
   */
  click(target: PanelTarget, now = Date.now()): void {
    const key = targetKey(target);
    const double = this.lastClick !== undefined && this.lastClick.key === key && now - this.lastClick.at <= DOUBLE_CLICK_MS;
    this.lastClick = double ? undefined : { key, at: now };
    this.open(target, double ? {} : { preview: true });
  }

  /** Keyboard navigation in the tree: an open preview follows the selection without taking focus. */
  follow(target: PanelTarget): void {
    if (!this.previewPanel) return;
    this.open(target, { preview: true, preserveFocus: true, viewColumn: this.previewPanel.panel.viewColumn });
  }

  /** Turns the preview into a panel of its own ("Keep Open"); the next preview opens a new panel. */
  keepOpen(): PanelTarget | undefined {
    const entry = this.previewPanel;
    if (!entry) return undefined;
    this.previewPanel = undefined;
    entry.preview = false;
    const target = entry.session.target;
    const key = targetKey(target);
    // Already open on its own (cannot normally happen): keep that one.
    if (this.byKey.has(key)) {
      entry.panel.dispose();
      return target;
    }
    this.byKey.set(key, entry);
    entry.panel.title = this.title(target, false);
    void this.setPreviewContext();
    return target;
  }

  /** What the preview panel shows now, if there is one. */
  previewTarget(): PanelTarget | undefined {
    return this.previewPanel?.session.target;
  }

  /** Targets of the panels open now (the preview's included). */
  panels(): PanelTarget[] {
    return this.entries().map((p) => p.session.target);
  }

  /** Targets of the panels of their own (not the preview). */
  pinned(): PanelTarget[] {
    return [...this.byKey.values()].map((p) => p.session.target);
  }

  lastPosted(target: PanelTarget): HostToWebview | undefined {
    return this.find(target)?.session.lastPosted;
  }

  /** Refreshes one panel (e.g. after a status change from the tree) or all of them. */
  async refresh(target?: PanelTarget): Promise<void> {
    const panels = target ? [this.find(target)].filter((p): p is OpenPanel => !!p) : this.entries();
    await Promise.all(panels.map((p) => p.session.refresh()));
  }

  /**
   * What a message from this target's webview does, sent as the view showing it now would send it
   * (the webview's own messages take the same path). Resolves once handled; false when no panel shows
   * the target. Tests drive the panel's buttons through it.
   */
  async receive(target: Pick<PanelTarget, 'connectionId' | 'workflow' | 'id'>, message: WebviewToHost): Promise<boolean> {
    const p = this.find(target);
    if (!p) return false;
    await p.session.handleMessage({ ...message, generation: p.session.generation });
    return true;
  }

  close(target: PanelTarget): void {
    this.find(target)?.panel.dispose();
  }

  private entries(): OpenPanel[] {
    return [...this.byKey.values(), ...(this.previewPanel ? [this.previewPanel] : [])];
  }

  private find(target: Pick<PanelTarget, 'connectionId' | 'workflow' | 'id'>): OpenPanel | undefined {
    const key = targetKey(target);
    return this.byKey.get(key) ?? (this.previewPanel && targetKey(this.previewPanel.session.target) === key ? this.previewPanel : undefined);
  }

  private title(target: PanelTarget, preview: boolean): string {
    return preview ? `${PREVIEW_TITLE_PREFIX}${forPanelTitle(target.id)}` : forPanelTitle(target.id);
  }

  private setPreviewContext(): Thenable<unknown> {
    const active = !!this.previewPanel?.panel.active;
    return vscode.commands.executeCommand('setContext', 'cloudflareWorkflows.instancePreviewActive', active);
  }

  private webviewOptions(preview = false): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Panels restore themselves from webview state, so keeping hidden ones alive only costs memory;
      // the one preview stays loaded so that clicking through instances never reloads it.
      retainContextWhenHidden: preview,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private interval(): number {
    const v = this.options.refreshIntervalMs;
    return typeof v === 'function' ? v() : v;
  }

  /** A session for `target` on `panel`; its fetch starts now, while the webview is still loading. */
  private createSession(panel: vscode.WebviewPanel, target: PanelTarget, webviewReady: boolean): InstanceSession {
    const key = targetKey(target);
    const session = new InstanceSession(
      target,
      this.deps,
      {
        post: (message) => {
          void panel.webview.postMessage(message);
          this.postEmitter.fire({ target, message });
        },
        writeClipboard: (text) => vscode.env.clipboard.writeText(text),
      },
      {
        refreshIntervalMs: () => this.interval(),
        generation: ++this.generation,
        webviewReady,
        initial: this.remembered.get(key),
        onFetched: (last) => this.remember(key, last),
      },
    );
    session.setVisible(panel.visible);
    void session.refresh();
    return session;
  }

  private remember(key: string, last: { details: InstanceDetails; meta: InstanceMeta }): void {
    this.remembered.delete(key);
    this.remembered.set(key, last);
    while (this.remembered.size > REMEMBERED_DETAILS) this.remembered.delete(this.remembered.keys().next().value as string);
  }

  /** The preview shows another instance: a new session on the same, still loaded webview. */
  private retarget(entry: OpenPanel, target: PanelTarget): InstanceSession {
    entry.session.dispose();
    entry.panel.title = this.title(target, true);
    entry.session = this.createSession(entry.panel, target, true);
    return entry.session;
  }

  private adopt(panel: vscode.WebviewPanel, target: PanelTarget, preview: boolean): InstanceSession {
    panel.title = this.title(target, preview);
    panel.webview.options = this.webviewOptions(preview);
    const entry: OpenPanel = { panel, session: this.createSession(panel, target, false), disposables: [], preview };
    entry.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (message) this.receiveEmitter.fire({ target: entry.session.target, message });
        void entry.session.handleMessage(raw);
      }),
      panel.onDidChangeViewState((e) => {
        entry.session.setVisible(e.webviewPanel.visible);
        if (entry.preview || this.previewPanel) void this.setPreviewContext();
      }),
      panel.onDidDispose(() => {
        entry.session.dispose();
        for (const d of entry.disposables) d.dispose();
        const key = targetKey(entry.session.target);
        if (this.byKey.get(key) === entry) this.byKey.delete(key);
        if (this.previewPanel === entry) {
          this.previewPanel = undefined;
          void this.setPreviewContext();
        }
      }),
    );
    if (preview) {
      this.previewPanel = entry;
      void this.setPreviewContext();
    } else this.byKey.set(targetKey(target), entry);
    panel.webview.html = this.html(panel.webview, target);
    return entry.session;
  }

  private html(webview: vscode.Webview, target: PanelTarget): string {
    const dist = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', file)).toString();
    return buildInstanceHtml({
      cspSource: webview.cspSource,
      scriptUri: dist('webview.js'),
      styleUri: dist('webview.css'),
      codiconsUri: dist('codicons/codicon.css'),
      nonce: createNonce(),
      title: forWebviewLine(`${target.workflow} / ${target.id}`),
    });
  }

  dispose(): void {
    for (const entry of this.entries()) entry.panel.dispose();
    this.byKey.clear();
    this.previewPanel = undefined;
    this.remembered.clear();
    this.postEmitter.dispose();
    this.receiveEmitter.dispose();
  }
}
