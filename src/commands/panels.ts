// Glue between the instance webview and the rest: how a panel fetches its instance, runs actions
// (through the same commands as the tree), opens JSON, loads full output and finds step source.
import * as vscode from 'vscode';
import { pendingEventType } from '../model/derived';
import { splitStepName } from '../model/status';
import { instanceRef } from '../tree/nodes';
import { InstancePanelManager } from '../webview/instancePanel';
import type { FetchedInstance } from '../webview/instanceSession';
import type { PanelTarget, WebviewAction } from '../webview/protocol';
import type { InstanceDetails } from '../model/types';
import { isApiError } from '../api';
import { changeStatus } from './changeStatus';
import { Cancelled, type CommandContext, type SharedContext, withSteps } from './context';
import { sendEventTo } from './sendEvent';
import { eventTypeFromSource } from './source';

const MEMORY_SCHEME = 'cfwf-json';

/** Read-only JSON documents of values the panel already shows (params, output, a step). */
class MemoryJsonProvider implements vscode.TextDocumentContentProvider {
  readonly docs = new Map<string, string>();
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
}

export function createInstancePanels(ext: vscode.ExtensionContext, ctx: SharedContext) {
  const memory = new MemoryJsonProvider();
  ext.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(MEMORY_SCHEME, memory));

  // The panel acts through the same functions as the commands (which ask the user first) and the
  // service, never through command arguments; a dismissed question is not a failure.
  const act = async (fn: (c: CommandContext) => Promise<void>) => {
    try {
      await withSteps(ctx, fn);
    } catch (e) {
      if (e instanceof Cancelled || isApiError(e, 'cancelled')) return;
      throw e;
    }
  };

  // What the panel shows beside the details: the same for fetched details and for the event stream's.
  const describe = async (target: PanelTarget, details: InstanceDetails): Promise<FetchedInstance> => {
    const backend = await ctx.service.backend(target.connectionId);
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
  };

  const manager = new InstancePanelManager(
    ext.extensionUri,
    {
      async fetchInstance(target, signal) {
        return describe(target, await ctx.service.getInstance(target, { signal }));
      },
      // Cloud: the event stream instead of polling. Describing is async, so updates queue up in order.
      follow(target, base, handlers) {
        let queue = Promise.resolve();
        const then = (fn: () => void | Promise<void>) => {
          queue = queue.then(fn).catch((e: unknown) => ctx.log.warn(`Instance view ${target.workflow}/${target.id}: ${e instanceof Error ? e.message : String(e)}`));
        };
        let shown: InstanceDetails | undefined;
        return ctx.service.follow(target, base, {
          onDetails: (d) =>
            then(async () => {
              shown = d;
              handlers.onUpdate(await describe(target, d));
            }),
          onEnd: (d) =>
            then(async () => {
              try {
                if (d !== shown) handlers.onUpdate(await describe(target, d));
              } finally {
                // Even when describing failed (the connection was removed): the session must not
                // wait for a follower that has stopped.
                handlers.onEnd();
              }
            }),
          onUnavailable: (reason) => then(() => handlers.onUnavailable(reason)),
        });
      },
      async runAction(target, action: WebviewAction, step) {
        const ref = ctx.service.checkRef({ connectionId: target.connectionId, workflow: target.workflow, id: target.id });
        // The step name alone would restart a `do` step; changeStatus adds the type (do, sleep,
        // waitForEvent) from the details this panel shows, so sleep and wait rows restart correctly.
        if (action === 'restartFromStep') await act((c) => changeStatus(c, 'restart', [ref], { fromStep: step }));
        else if (action === 'sendEvent') await act((c) => sendEventTo(c, ref));
        else await act((c) => changeStatus(c, action, [ref]));
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
        const shown = ctx.service.knownDetails(target)?.steps.find((s) => s.name === step);
        const r = await ctx.service.getStepOutput(target, { stepName: step, type: shown?.type === 'waitForEvent' ? 'waitForEvent' : 'step' });
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
      if (e.selection.length !== 1 || (node?.kind !== 'instance' && node?.kind !== 'waitingInstance')) return;
      // An instance under "Waiting for events" previews the same way.
      const ref = node.kind === 'instance' ? instanceRef(node) : { connectionId: node.connectionId, workflow: node.entry.workflow, id: node.entry.id };
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
