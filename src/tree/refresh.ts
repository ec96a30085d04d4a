// Auto-refresh: only while the view is visible and the window focused, never overlapping, backing
// off on errors. Hidden view = zero requests.
import * as vscode from 'vscode';
import type { Log } from '../log';
import type { WorkflowsTreeProvider } from './provider';

export class RefreshManager implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private failures = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /** Ticks run so far (tests and the API-budget benchmark read it). */
  ticks = 0;

  constructor(
    private readonly view: vscode.TreeView<unknown>,
    private readonly tree: WorkflowsTreeProvider,
    private readonly log: Log,
  ) {
    this.disposables.push(
      view.onDidChangeVisibility(() => this.reschedule()),
      vscode.window.onDidChangeWindowState(() => this.reschedule()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('cloudflareWorkflows.autoRefreshSeconds') && this.reschedule()),
    );
    this.reschedule();
  }

  private intervalMs(): number {
    const s = vscode.workspace.getConfiguration('cloudflareWorkflows').get<number>('autoRefreshSeconds', 15);
    return s > 0 ? Math.max(2, s) * 1000 : 0;
  }

  private active(): boolean {
    return this.view.visible && vscode.window.state.focused && this.intervalMs() > 0;
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.active()) return;
    const backoff = Math.min(2 ** this.failures, 20);
    this.timer = setTimeout(() => void this.tick(), this.intervalMs() * backoff);
  }

  private async tick(): Promise<void> {
    if (this.running || !this.active()) return this.reschedule();
    this.running = true;
    this.ticks++;
    try {
      await this.tree.poll();
      this.failures = 0;
    } catch (e) {
      this.failures++;
      this.log.warn(`Auto-refresh failed (${this.failures} in a row); backing off: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.running = false;
      this.reschedule();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
