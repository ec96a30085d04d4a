// The one interface both backends implement. Everything above api/ talks only to this.
import type {
  BackendCapabilities,
  BatchCreateResult,
  ChangeStatusOptions,
  CreateInstanceInput,
  CreatedInstance,
  InstanceDetails,
  InstancePage,
  ListInstancesOptions,
  StatusAction,
  StepOutputQuery,
  WorkflowDetails,
  WorkflowSummary,
  WorkflowVersion,
} from '../model/types';
import type { InstanceEvent } from '../model/instanceEvents';

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface GetInstanceOptions extends RequestOptions {
  order?: 'asc' | 'desc';
  /** Omit step details (cloud); local backends ignore it. */
  simple?: boolean;
}

export interface StepOutput {
  status?: string;
  /** Parsed JSON, or the raw bytes (`Uint8Array`) when the step returned a stream. */
  output?: unknown;
  error?: { name: string; message: string } | null;
  eventType?: string;
  /** Set when the output came back as raw bytes rather than JSON. */
  contentType?: string;
}

/** Request accounting, for the tree's rate budget display and for benchmarks. */
export interface BackendStats {
  /** HTTP requests actually sent, retries included. */
  requests: number;
  /** Of those, automatic retries of idempotent reads. */
  retries: number;
  inFlight: number;
  /** Cloud only: the sliding-window request budget. */
  budget?: { used: number; limit: number; remaining: number; windowMs: number; blockedUntil?: Date };
}

export interface SubscribeOptions extends RequestOptions {
  /** The last eventId already received: the stream starts after it. */
  cursor?: number;
  onOpen?(): void;
  onEvent(event: InstanceEvent): void;
}

export interface BatchDeleteResult {
  deleted: string[];
  failed: { id: string; message: string }[];
}

export interface BatchTerminateResult {
  terminated: string[];
  failed: { id: string; message: string }[];
}

export interface WorkflowsBackend {
  readonly kind: 'local' | 'cloud';
  readonly capabilities: BackendCapabilities;
  /** A label for logs and reports; never contains a credential. */
  describe(): string;

  listWorkflows(opts?: RequestOptions): Promise<WorkflowSummary[]>;
  getWorkflow(name: string, opts?: RequestOptions): Promise<WorkflowDetails>;
  listInstances(name: string, opts?: ListInstancesOptions): Promise<InstancePage>;
  getInstance(name: string, id: string, opts?: GetInstanceOptions): Promise<InstanceDetails>;
  createInstance(name: string, input: CreateInstanceInput, opts?: RequestOptions): Promise<CreatedInstance>;
  /** Sends batches of ≤ 100 (one request per batch where supported); reports per-item outcomes. */
  createInstances(name: string, items: CreateInstanceInput[], opts?: RequestOptions & { onProgress?: (done: number, total: number) => void }): Promise<BatchCreateResult>;
  changeStatus(name: string, id: string, action: StatusAction, opts?: ChangeStatusOptions): Promise<void>;
  sendEvent(name: string, id: string, type: string, payload: unknown, opts?: RequestOptions): Promise<void>;
  deleteInstance(name: string, id: string, opts?: RequestOptions): Promise<void>;
  /** Batches of ≤ 100 through the batch delete endpoint; per-item outcomes. */
  deleteInstances(name: string, ids: string[], opts?: RequestOptions): Promise<BatchDeleteResult>;
  /** Where the server has a batch terminate endpoint (cloud): batches of ≤ 100, per-item outcomes. */
  terminateInstances?(name: string, ids: string[], opts?: RequestOptions): Promise<BatchTerminateResult>;
  /** Cloud only: the workflow's deployed versions, newest first (GET …/workflows/{name}/versions). */
  listVersions?(name: string, opts?: RequestOptions): Promise<WorkflowVersion[]>;
  /** Full, untruncated step output where `capabilities.stepOutput`. */
  getStepOutput(name: string, id: string, query: StepOutputQuery, opts?: RequestOptions): Promise<StepOutput>;
  /**
   * Cloud only: the instance's event stream (history first, then live), from after `cursor`. Resolves
   * 'ended' after the terminal event, 'closed' if the stream closed before it (reconnect with the last
   * eventId). Rejects with code STREAM_UNAVAILABLE when the stream could not be opened at all.
   */
  subscribeInstance?(name: string, id: string, opts: SubscribeOptions): Promise<'ended' | 'closed'>;
  /** Round trip used by "Diagnose Connection": which API path/version answered and how fast. */
  probe(opts?: RequestOptions): Promise<{ ok: true; latencyMs: number; detail: string }>;
  /** Request counters; both shipped backends implement it. */
  stats?(): BackendStats;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
