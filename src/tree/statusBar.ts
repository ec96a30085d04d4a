// Running/errored counts across connections, from counts the tree already has (no extra requests).
import * as vscode from 'vscode';
import type { WorkflowsTreeProvider } from './provider';
import { forStatusBar } from '../model/display';

export class WorkflowsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cloudflareWorkflows.status', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly tree: WorkflowsTreeProvider) {
    this.item.name = 'Cloudflare Workflows';
    this.item.command = 'cloudflareWorkflows.tree.focus';
    this.disposables = [
      tree.onDidChangeTreeData(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('cloudflareWorkflows.showStatusBar') && this.update()),
    ];
    this.update();
  }

  update(): void {
    if (!vscode.workspace.getConfiguration('cloudflareWorkflows').get<boolean>('showStatusBar', true)) {
      this.item.hide();
      return;
    }
    let running = 0;
    let errored = 0;
    for (const c of this.tree.connectionNodes()) {
      for (const w of c.workflows ?? []) {
        running += (w.counts?.running ?? 0) + (w.counts?.waiting ?? 0);
        errored += w.counts?.errored ?? 0;
      }
    }
    this.item.text = `$(type-hierarchy-sub) ${forStatusBar(running)} $(error) ${forStatusBar(errored)}`;
    this.item.tooltip = forStatusBar(`Cloudflare Workflows: ${running} running, ${errored} errored (loaded connections)`, 200);
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
