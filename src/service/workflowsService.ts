// The one place where the tree, the commands and the instance webview meet to act on instances:
// it resolves a reference to an existing connection, fetches and caches details, runs the writes,
// marks a connection read-only when the server refuses a write (403) and announces every change.
// Commands ask the user first (confirmations, pickers) and then call in here; the webview and the
// tests call in here directly, never through command arguments.
import * as vscode from 'vscode';
import { assertExistingInstanceId, assertWorkflowName, followInstance, isApiError, type GetInstanceOptions, type StepOutput, type WorkflowsBackend } from '../api';
import type { ConnectionRegistry } from '../connections/registry';
import type { Connection } from '../connections/types';
import { mergeFolded } from '../model/instanceEvents';
import { isFinal } from '../model/status';
import type { BatchCreateResult, ChangeStatusOptions, CreateInstanceInput, CreatedInstance, InstanceDetails, StatusAction, StepOutputQuery } from '../model/types';

/** An instance named by connection, workflow and id: what the UI hands around. */
export interface InstanceRef {
  connectionId: string;
  workflow: string;
  id: string;
}

export interface InstanceChange {
  connectionId: string;
  workflow: string;
  /** Undefined when instances were created or many changed at once. */
  id?: string;
}

export interface FollowDetailsHandlers {
  /** Newer details (at most one call per batch of events), already remembered for the tree. */
  onDetails(details: InstanceDetails): void;
  /** The final details; the same object as the last onDetails when that one was final already. */
  onEnd(details: InstanceDetails): void;
  /** The stream cannot be had or kept: poll instead. */
  onUnavailable(reason: Error): void;
}

/** The permission a refused write lacks, shown on the connection. */
const WRITE_PERMISSION = 'Workers Scripts Write';

export class WorkflowsService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InstanceChange>();
  readonly onDidChangeInstance = this.changed.event;

  constructor(readonly registry: ConnectionRegistry) {}

  /** The connection a reference names; throws a clear message when it does not exist (any more). */
  connection(connectionId: unknown): Connection {
    if (typeof connectionId !== 'string') throw new Error('No connection was named.');
    const c = this.registry.get(connectionId);
    if (!c) throw new Error('That connection does not exist (any more). Refresh the Workflows view.');
    return c;
  }

  /** Checks a reference's shape, names and connection before anything is sent. */
  checkRef(ref: InstanceRef): InstanceRef {
    this.connection(ref.connectionId);
    assertWorkflowName(ref.workflow);
    assertExistingInstanceId(ref.id);
    return ref;
  }

  backend(connectionId: string): Promise<WorkflowsBackend> {
    this.connection(connectionId);
    return this.registry.backend(connectionId);
  }

  async getInstance(ref: InstanceRef, opts?: GetInstanceOptions): Promise<InstanceDetails> {
    this.checkRef(ref);
    const details = await (await this.backend(ref.connectionId)).getInstance(ref.workflow, ref.id, opts);
    if (!opts?.simple) this.registry.rememberDetails(ref.connectionId, ref.workflow, details);
    return details;
  }

  /**
   * Follows an instance by its event stream (cloud), starting from `base`, the details just fetched
   * (so the backend exists: none is built here). Undefined when the connection cannot stream now (local,
   * or its stream failed recently): the caller polls. Handlers run after this returns, in order, and
   * never after stop(). Events only update what `base` showed once they have caught up with it.
   */
  follow(ref: InstanceRef, base: InstanceDetails, handlers: FollowDetailsHandlers): { stop(): void } | undefined {
    this.checkRef(ref);
    const backend = this.registry.cachedBackend(ref.connectionId);
    if (!backend || !this.registry.streams.canFollow(backend)) return undefined;
    let stopped = false;
    let sent: InstanceDetails | undefined;
    const later = (fn: () => void) => void Promise.resolve().then(() => (stopped ? undefined : fn()));
    const keep = (d: InstanceDetails) => {
      sent = d;
      this.registry.rememberDetails(ref.connectionId, ref.workflow, d);
    };
    const seed = { id: ref.id, workflow: ref.workflow, ...(base.versionId !== undefined ? { versionId: base.versionId } : {}), ...(base.trigger !== undefined ? { trigger: base.trigger } : {}) };
    const follower = followInstance(
      backend,
      ref.workflow,
      ref.id,
      {
        onDetails: (d, fold) => {
          const merged = mergeFolded(base, d, fold.ended);
          if (!merged) return;
          keep(merged);
          later(() => handlers.onDetails(merged));
        },
        onEnd: (d) => {
          const final = sent && isFinal(sent.status) ? sent : (mergeFolded(base, d, true) ?? d);
          if (final !== sent) keep(final);
          later(() => handlers.onEnd(final));
        },
        onUnavailable: (reason) => later(() => handlers.onUnavailable(reason)),
      },
      { seed, availability: this.registry.streams },
    );
    return {
      stop() {
        stopped = true;
        follower.stop();
      },
    };
  }

  knownDetails(ref: InstanceRef): InstanceDetails | undefined {
    return this.registry.knownDetails(ref.connectionId, ref.workflow, ref.id);
  }

  async getStepOutput(ref: InstanceRef, query: StepOutputQuery, opts?: { signal?: AbortSignal }): Promise<StepOutput> {
    this.checkRef(ref);
    const backend = await this.backend(ref.connectionId);
    if (!backend.capabilities.stepOutput) throw new Error('This backend cannot return full step output.');
    return backend.getStepOutput(ref.workflow, ref.id, query, opts);
  }

  changeStatus(ref: InstanceRef, action: StatusAction, opts?: ChangeStatusOptions): Promise<void> {
    this.checkRef(ref);
    return this.write(ref, (b) => b.changeStatus(ref.workflow, ref.id, action, opts));
  }

  sendEvent(ref: InstanceRef, type: string, payload: unknown): Promise<void> {
    this.checkRef(ref);
    return this.write(ref, (b) => b.sendEvent(ref.workflow, ref.id, type, payload));
  }

  deleteInstance(ref: InstanceRef): Promise<void> {
    this.checkRef(ref);
    return this.write(ref, (b) => b.deleteInstance(ref.workflow, ref.id));
  }

  /**
   * Many instances of one workflow at once: the batch delete endpoint (⌈N/100⌉ requests), or the batch
   * terminate one where the backend has it; per-item outcomes. `undefined` when the backend cannot
   * terminate in batches, so the caller goes one by one.
   */
  async batch(connectionId: string, workflow: string, action: 'delete' | 'terminate', ids: string[]): Promise<{ ok: string[]; failed: { id: string; message: string }[] } | undefined> {
    this.connection(connectionId);
    assertWorkflowName(workflow);
    const backend = await this.backend(connectionId);
    if (action === 'terminate' && !backend.terminateInstances) return undefined;
    return this.write({ connectionId, workflow }, async (b) => {
      if (action === 'delete') {
        const r = await b.deleteInstances(workflow, ids);
        return { ok: r.deleted, failed: r.failed };
      }
      const r = await (b.terminateInstances as NonNullable<WorkflowsBackend['terminateInstances']>).call(b, workflow, ids);
      return { ok: r.terminated, failed: r.failed };
    });
  }

  createInstance(connectionId: string, workflow: string, input: CreateInstanceInput): Promise<CreatedInstance> {
    this.connection(connectionId);
    assertWorkflowName(workflow);
    return this.write({ connectionId, workflow }, (b) => b.createInstance(workflow, input));
  }

  createInstances(connectionId: string, workflow: string, items: CreateInstanceInput[], opts?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<BatchCreateResult> {
    this.connection(connectionId);
    assertWorkflowName(workflow);
    return this.write({ connectionId, workflow }, (b) => b.createInstances(workflow, items, opts));
  }

  /** Runs a write; a 403 marks the connection read-only, and every attempt announces a change. */
  private async write<T>(change: InstanceChange, fn: (b: WorkflowsBackend) => Promise<T>): Promise<T> {
    const backend = await this.backend(change.connectionId);
    try {
      return await fn(backend);
    } catch (e) {
      if (isApiError(e, 'permission')) this.registry.markReadOnly(change.connectionId, WRITE_PERMISSION);
      throw e;
    } finally {
      // A failed write may still have changed something (a timeout after the server acted).
      this.changed.fire({ connectionId: change.connectionId, workflow: change.workflow, ...('id' in change && change.id ? { id: change.id } : {}) });
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
