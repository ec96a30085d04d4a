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
} from '../model/types';

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
  output?: unknown;
  error?: { name: string; message: string } | null;
  eventType?: string;
}

export interface BatchDeleteResult {
  deleted: string[];
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
  deleteInstances(name: string, ids: string[], opts?: RequestOptions): Promise<BatchDeleteResult>;
  /** Full, untruncated step output where `capabilities.stepOutput`. */
  getStepOutput(name: string, id: string, query: StepOutputQuery, opts?: RequestOptions): Promise<StepOutput>;
  /** Round trip used by "Diagnose Connection": which API path/version answered and how fast. */
  probe(opts?: RequestOptions): Promise<{ ok: true; latencyMs: number; detail: string }>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
