// Glue between the instance webview and the rest: how a panel fetches its instance, runs actions
// (through the same commands as the tree), opens JSON, loads full output and finds step source.
import * as vscode from 'vscode';
import { pendingEventType } from '../model/derived';
import { splitStepName } from '../model/status';
import { instanceRef } from '../tree/nodes';
import { InstancePanelManager } from '../webview/instancePanel';
import type { PanelTarget, WebviewAction } from '../webview/protocol';
import type { CommandContext } from './context';
import { eventTypeFromSource } from './source';
import { commandErrors } from './wrapper';

const MEMORY_SCHEME = 'cfwf-json';

/** Read-only JSON documents of values the panel already shows (params, output, a step). */
class MemoryJsonProvider implements vscode.TextDocumentContentProvider {
  readonly docs = new Map<string, string>();
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
}

export function createInstancePanels(ext: vscode.ExtensionContext, ctx: CommandContext) {
  const memory = new MemoryJsonProvider();
  ext.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(MEMORY_SCHEME, memory));

  const runCommand = async (id: string, ...args: unknown[]) => {
    const before = commandErrors.length;
    await vscode.commands.executeCommand(`cloudflareWorkflows.${id}`, ...args);
    // The wrapper reported the failure to the user already; the panel still needs to know.
    if (commandErrors.length > before) throw new Error(commandErrors[commandErrors.length - 1].message);
  };

  const manager = new InstancePanelManager(
    ext.extensionUri,
    {
      async fetchInstance(target, signal) {
        const backend = await ctx.registry.backend(target.connectionId);
        const details = await backend.getInstance(target.workflow, target.id, { signal });
        ctx.registry.rememberDetails(target.connectionId, target.workflow, details);
        const readOnly = !!ctx.registry.readOnlyInfo(target.connectionId);
        const eventType = pendingEventType(details) ?? (await eventTypeFromSource(ctx.source.index, target.workflow, details));
        return {
          details,
          meta: {
            pendingEventType: eventType,
            capabilities: { stepOutput: backend.capabilities.stepOutput, restartFromStep: backend.capabilities.restartFromStep && !readOnly, goToSource: (vscode.workspace.workspaceFolders?.length ?? 0) > 0 },
            ...(readOnly ? { actions: [], canSendEvent: false } : {}),
          },
        };
      },
      async runAction(target, action: WebviewAction, step) {
        const ref = { connectionId: target.connectionId, workflow: target.workflow, id: target.id };
        if (action === 'restartFromStep') await runCommand('restart', ref, { fromStep: step });
        else await runCommand(action, ref);
      },
      async openJson(target, what, step, value) {
        const uri = vscode.Uri.from({ scheme: MEMORY_SCHEME, path: `/${target.id}/${step ? `${step}-` : ''}${what}.json`, query: String(Date.now()) });
        memory.docs.set(uri.toString(), JSON.stringify(value ?? null, null, 2) + '\n');
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(doc, 'json');
        await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      },
      async goToSource(target, stepName) {
        await ctx.source.index.ensure();
        const indexed = ctx.source.index.findStep(target.workflow, splitStepName(stepName).base);
        if (!indexed) throw new Error(`No step.do/sleep/waitForEvent call named "${splitStepName(stepName).base}" was found in the workspace.`);
        const at = new vscode.Position(indexed.call.line, indexed.call.character);
        await vscode.window.showTextDocument(indexed.uri, { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.One });
      },
      async loadFullOutput(target, step) {
        const backend = await ctx.registry.backend(target.connectionId);
        if (!backend.capabilities.stepOutput) throw new Error('This backend cannot return full step output.');
        const shown = ctx.registry.knownDetails(target.connectionId, target.workflow, target.id)?.steps.find((s) => s.name === step);
        const r = await backend.getStepOutput(target.workflow, target.id, { stepName: step, type: shown?.type === 'waitForEvent' ? 'waitForEvent' : 'step' });
        return r.output;
      },
      log: { info: (m) => ctx.log.info(m), warn: (m) => ctx.log.warn(m), error: (m) => ctx.log.error(m) },
    },
    { refreshIntervalMs: () => vscode.workspace.getConfiguration('cloudflareWorkflows').get<number>('instanceRefreshSeconds', 3) * 1000 },
  );
  ext.subscriptions.push(manager, manager.registerSerializer());

  // Keyboard navigation in the tree moves an open preview along with the selection.
  ext.subscriptions.push(
    ctx.view.onDidChangeSelection((e) => {
      const [node] = e.selection;
      if (e.selection.length !== 1 || node?.kind !== 'instance') return;
      const ref = instanceRef(node);
      manager.follow({ ...ref, connectionLabel: ctx.registry.get(ref.connectionId)?.label ?? ref.connectionId });
    }),
  );

  return {
    manager,
    open(target: PanelTarget, opts?: { selectStep?: string }) {
      manager.open(target, opts);
    },
    /** A click in the tree: the preview, or a panel of its own on a double-click. */
    click(target: PanelTarget) {
      manager.click(target);
    },
    keepOpen() {
      return manager.keepOpen();
    },
    refresh(target: { connectionId: string; workflow: string; id: string }) {
      void manager.refresh({ ...target, connectionLabel: '' });
    },
  };
}
