// Wires the layers together; no logic of its own. Activation does no network work: the tree
// probes for local sessions only once the view is shown.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import type { SharedContext } from './commands/context';
import { WatchManager } from './commands/watch';
import { CommandRecord } from './commands/wrapper';
import { CloudConnectionStore } from './connections/cloudStore';
import { LocalUrlConsent } from './connections/localConsent';
import { offerEnvToken } from './connections/envOffer';
import { ConnectionRegistry } from './connections/registry';
import { Log } from './log';
import type { TreeNode } from './tree/nodes';
import { WorkflowsTreeProvider } from './tree/provider';
import { RefreshManager } from './tree/refresh';
import { WorkflowsStatusBar } from './tree/statusBar';
import { createInstancePanels } from './commands/panels';
import { StepInsights } from './source/stepInsights';
import { WorkspaceIndex } from './source/workspaceIndex';
import { WorkflowsService } from './service/workflowsService';
import { PromptHook } from './testHook';

/** Returned by activate() in test mode only: it reaches the stores, so production returns nothing. */
export interface ExtensionApi {
  registry: ConnectionRegistry;
  tree: WorkflowsTreeProvider;
  view: vscode.TreeView<TreeNode>;
  panels: ReturnType<typeof createInstancePanels>;
  watches: WatchManager;
  log: Log;
  refresher: RefreshManager;
  statusBar: WorkflowsStatusBar;
  insights: StepInsights;
  index: WorkspaceIndex;
  service: WorkflowsService;
  /** Every prompt shown; set `answer` to answer or dismiss them (test mode patches vscode.window). */
  prompts: PromptHook;
  commandErrors: CommandRecord['commandErrors'];
  registeredCommands: ReadonlySet<string>;
  activationMs: number;
  /** For tests that prove no secret lands in extension state. */
  globalState: vscode.Memento;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi | undefined {
  const started = performance.now();
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  // Installed first, so that every prompt of this activation goes through it.
  const prompts = testMode ? new PromptHook(vscode.window) : undefined;
  if (prompts) context.subscriptions.push(prompts);
  const channel = vscode.window.createOutputChannel('Cloudflare Workflows', { log: true });
  const log = new Log(channel);
  const registry = new ConnectionRegistry(new CloudConnectionStore(context.globalState, context.secrets), log, new LocalUrlConsent(context.globalState));
  const service = new WorkflowsService(registry);
  const tree = new WorkflowsTreeProvider(registry, log);
  const view = vscode.window.createTreeView('cloudflareWorkflows.tree', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  view.onDidExpandElement((e) => tree.expanded.add(e.element.id));
  view.onDidCollapseElement((e) => tree.expanded.delete(e.element.id));
  // Probe for local sessions again whenever the view comes back into sight.
  let offered = false;
  view.onDidChangeVisibility((e) => {
    if (!e.visible) return;
    void registry.refreshLocal();
    if (!offered) {
      offered = true;
      void offerEnvToken(registry, context.globalState);
    }
  });
  const refresher = new RefreshManager(view as vscode.TreeView<unknown>, tree, log);
  const statusBar = new WorkflowsStatusBar(tree);

  // Source ↔ runtime: parsed lazily, on the first CodeLens request.
  const index = new WorkspaceIndex();
  const insights = new StepInsights(index, registry, context.workspaceState, log);
  const sourceSelector: vscode.DocumentSelector = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({ language, scheme: 'file' }));
  // "Waiting for events" reads a wait's type and timeout from the source when the engine does not say.
  tree.inbox.setSourceLookup(async (workflow, base) => {
    await index.ensure();
    // Only this workflow's class: a same-named wait elsewhere says nothing about this one.
    return index.classFor(workflow)?.steps.find((s) => s.kind === 'waitForEvent' && s.name === base);
  });
  context.subscriptions.push(index, insights, vscode.languages.registerCodeLensProvider(sourceSelector, insights), vscode.languages.registerHoverProvider(sourceSelector, insights));

  const commands = new CommandRecord();
  const ctx = { ext: context, registry, service, commands, tree, view, log, source: { index, insights } } as SharedContext;
  const panels = createInstancePanels(context, ctx);
  ctx.panels = panels;
  ctx.watches = new WatchManager(
    context.globalState,
    registry,
    log,
    (w) => {
      if (w.id) void panels.open({ connectionId: w.connectionId, connectionLabel: registry.get(w.connectionId)?.label ?? w.connectionId, workflow: w.workflow, id: w.id });
    },
    (ref, base, handlers) => service.follow(ref, base, handlers),
  );
  registerCommands(ctx, () => channel.show(true));

  // Whoever changed an instance (a command, the instance view), open views of it show the change.
  service.onDidChangeInstance((c) => {
    if (c.id) panels.refresh({ connectionId: c.connectionId, workflow: c.workflow, id: c.id });
  });
  context.subscriptions.push(channel, registry, service, tree, view, refresher, statusBar, ctx.watches);
  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);
  if (!prompts) return undefined;
  return { registry, service, prompts, tree, view, panels, watches: ctx.watches, log, refresher, statusBar, commandErrors: commands.commandErrors, registeredCommands: commands.registeredCommands, insights, index, activationMs, globalState: context.globalState };
}

export function deactivate(): void {
  // Disposables registered on the context clean up everything.
}
