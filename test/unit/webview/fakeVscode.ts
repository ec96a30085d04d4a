// Just enough of the `vscode` module for InstancePanelManager to run under mocha: panels, webviews,
// events, the serializer registry and the clipboard, all recorded for assertions.

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(readonly path: string) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.path, ...parts].join('/'));
  }
  toString(): string {
    return `https://webview.test${this.path}`;
  }
}

export enum ViewColumn {
  Active = -1,
  One = 1,
}

export class FakeWebview {
  options: Record<string, unknown> = {};
  html = '';
  readonly cspSource = 'https://webview.test';
  readonly posted: unknown[] = [];
  readonly received = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: Uri): Uri {
    return uri;
  }
  async postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return true;
  }
}

export class FakePanel {
  title: string;
  visible = true;
  disposed = false;
  reveals = 0;
  readonly webview = new FakeWebview();
  readonly viewState = new EventEmitter<{ webviewPanel: FakePanel }>();
  readonly onDidChangeViewState = this.viewState.event;
  private readonly disposeEmitter = new EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly viewType: string,
    title: string,
    readonly showOptions: unknown,
    readonly createOptions: Record<string, unknown>,
  ) {
    this.title = title;
  }
  reveal(): void {
    this.reveals++;
  }
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.viewState.fire({ webviewPanel: this });
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
}

export const created: FakePanel[] = [];
export const serializers = new Map<string, { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }>();
export const clipboardWrites: string[] = [];

export const window = {
  createWebviewPanel(viewType: string, title: string, showOptions: unknown, options: Record<string, unknown>): FakePanel {
    const panel = new FakePanel(viewType, title, showOptions, options);
    created.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer(viewType: string, serializer: { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }) {
    serializers.set(viewType, serializer);
    return { dispose: () => serializers.delete(viewType) };
  },
};

export const env = {
  clipboard: {
    writeText: async (text: string) => void clipboardWrites.push(text),
  },
};

export function reset(): void {
  created.length = 0;
  serializers.clear();
  clipboardWrites.length = 0;
}
