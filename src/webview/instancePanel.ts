// Instance panels in VS Code: one webview panel per instance, restored after a reload by a
// serializer, refreshed live while visible and unfinished. All data and actions come through the
// injected dependencies; the webview never holds a token or makes a request.
import * as vscode from 'vscode';
import { buildInstanceHtml, createNonce } from './html';
import { forPanelTitle, forWebviewLine } from '../model/display';
import { InstanceSession, type InstancePanelDeps } from './instanceSession';
import type { HostToWebview, PanelTarget, PersistedWebviewState, WebviewToHost } from './protocol';
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
}

export class InstancePanelManager implements vscode.Disposable {
  private readonly byKey = new Map<string, OpenPanel>();
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
        if (!target || this.byKey.has(targetKey(target))) {
          panel.dispose();
          return;
        }
        this.adopt(panel, target);
      },
    });
  }

  /** Shows the instance, revealing its panel if one is already open. */
  open(target: PanelTarget, opts: OpenOptions = {}): void {
    const existing = this.byKey.get(targetKey(target));
    if (existing) {
      existing.panel.reveal(opts.viewColumn, opts.preserveFocus);
      if (opts.selectStep !== undefined) existing.session.selectStep(opts.selectStep);
      return;
    }
    const panel = vscode.window.createWebviewPanel(INSTANCE_VIEW_TYPE, forPanelTitle(target.id), { viewColumn: opts.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: opts.preserveFocus }, this.webviewOptions());
    const session = this.adopt(panel, target);
    if (opts.selectStep !== undefined) session.selectStep(opts.selectStep);
  }

  /** Targets of the panels open now. */
  panels(): PanelTarget[] {
    return [...this.byKey.values()].map((p) => p.session.target);
  }

  lastPosted(target: PanelTarget): HostToWebview | undefined {
    return this.byKey.get(targetKey(target))?.session.lastPosted;
  }

  /** Refreshes one panel (e.g. after a status change from the tree) or all of them. */
  async refresh(target?: PanelTarget): Promise<void> {
    const panels = target ? [this.byKey.get(targetKey(target))].filter((p): p is OpenPanel => !!p) : [...this.byKey.values()];
    await Promise.all(panels.map((p) => p.session.refresh()));
  }

  close(target: PanelTarget): void {
    this.byKey.get(targetKey(target))?.panel.dispose();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // The view restores itself from webview state, so keeping hidden panels alive only costs memory.
      retainContextWhenHidden: false,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private interval(): number {
    const v = this.options.refreshIntervalMs;
    return typeof v === 'function' ? v() : v;
  }

  private adopt(panel: vscode.WebviewPanel, target: PanelTarget): InstanceSession {
    const key = targetKey(target);
    panel.title = forPanelTitle(target.id);
    panel.webview.options = this.webviewOptions();
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
      { refreshIntervalMs: () => this.interval() },
    );
    const entry: OpenPanel = { panel, session, disposables: [] };
    entry.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (message) this.receiveEmitter.fire({ target, message });
        void session.handleMessage(raw);
      }),
      panel.onDidChangeViewState((e) => session.setVisible(e.webviewPanel.visible)),
      panel.onDidDispose(() => {
        session.dispose();
        for (const d of entry.disposables) d.dispose();
        if (this.byKey.get(key) === entry) this.byKey.delete(key);
      }),
    );
    this.byKey.set(key, entry);
    session.setVisible(panel.visible);
    panel.webview.html = this.html(panel.webview, target);
    return session;
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
    for (const entry of [...this.byKey.values()]) entry.panel.dispose();
    this.byKey.clear();
    this.postEmitter.dispose();
    this.receiveEmitter.dispose();
  }
}
