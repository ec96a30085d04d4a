// Domain types shared by every layer. Backends map their wire formats onto these, so the tree,
// the commands and the webview never see a difference between local and cloud.

export const INSTANCE_STATUSES = [
  'queued',
  'running',
  'paused',
  'errored',
  'terminated',
  'complete',
  'waitingForPause',
  'waiting',
  'rollingBack',
] as const;
export type KnownStatus = (typeof INSTANCE_STATUSES)[number];
/** `unknown` stands for values this version does not know yet, so new statuses never crash the UI. */
export type InstanceStatus = KnownStatus | 'unknown';
export type StatusCounts = Record<KnownStatus, number>;

export const FINAL_STATUSES: readonly InstanceStatus[] = ['complete', 'errored', 'terminated'];

export interface WorkflowSummary {
  name: string;
  /** Cloud: the workflow's uuid. */
  id?: string;
  className?: string;
  scriptName?: string;
  createdOn?: string;
  modifiedOn?: string;
  /** Cloud: when an instance was last triggered; null when never. */
  triggeredOn?: string | null;
  /** Cloud: cron triggers and when each next creates an instance. */
  schedules?: { cron: string; nextInstance?: string }[];
  /** Present when the backend's list call includes counts (cloud). */
  instances?: StatusCounts;
}

export interface WorkflowDetails extends WorkflowSummary {
  instances: StatusCounts;
}

export type TriggerSource = 'unknown' | 'api' | 'binding' | 'event' | 'cron';

/** One deployed version of a workflow (cloud GET …/workflows/{name}/versions). */
export interface WorkflowVersion {
  id: string;
  className?: string;
  createdOn?: string;
  modifiedOn?: string;
  language?: string;
  hasDag?: boolean;
}

export interface InstanceSummary {
  id: string;
  status: InstanceStatus;
  createdOn?: string;
  modifiedOn?: string;
  startedOn?: string | null;
  endedOn?: string | null;
  versionId?: string;
  triggerSource?: TriggerSource | string;
}

export interface InstancePage {
  instances: InstanceSummary[];
  /** Opaque continuation: pass it back unchanged as `next` to get the following page. */
  next?: string;
  /** Total matching instances where the backend reports it. */
  total?: number;
}

export interface ListInstancesOptions {
  status?: KnownStatus;
  /** ISO 8601, UTC (cloud only). */
  dateStart?: string;
  dateEnd?: string;
  perPage?: number;
  direction?: 'asc' | 'desc';
  next?: string;
  signal?: AbortSignal;
}

export interface StepError {
  name: string;
  message: string;
}

export interface StepAttempt {
  start?: string | null;
  end?: string | null;
  success?: boolean | null;
  error?: StepError | null;
}

export interface RetryConfig {
  limit?: number;
  /** ms as a number, or a duration string like "500 millis"; "[dynamic]" when computed. */
  delay?: string | number;
  backoff?: 'constant' | 'linear' | 'exponential' | string;
}

export interface StepConfig {
  retries?: RetryConfig;
  timeout?: string | number;
  sensitive?: string;
}

interface StepBase {
  /** Includes the engine's `-N` occurrence suffix, e.g. "reserve stock-1". */
  name: string;
  start?: string | null;
  end?: string | null;
}

export interface DoStep extends StepBase {
  type: 'step' | 'rollback';
  success?: boolean | null;
  output?: unknown;
  attempts: StepAttempt[];
  config?: StepConfig | null;
}

export interface SleepStep extends StepBase {
  type: 'sleep';
  finished?: boolean;
  error?: StepError | null;
}

export interface WaitForEventStep extends StepBase {
  type: 'waitForEvent';
  finished?: boolean;
  error?: StepError | null;
  eventType?: string;
  /** Once received: `{ type, payload, timestamp }`. */
  output?: unknown;
}

export interface TerminationStep {
  type: 'termination';
  name?: undefined;
  trigger?: { source?: string };
}

/** A step type this version does not know: shown generically instead of crashing. */
export interface UnknownStep {
  type: 'unknown';
  rawType: string;
  name?: string;
  start?: string | null;
  end?: string | null;
  raw: unknown;
}

export type Step = DoStep | SleepStep | WaitForEventStep | TerminationStep | UnknownStep;

export interface InstanceDetails {
  id: string;
  workflow: string;
  status: InstanceStatus;
  params?: unknown;
  queued?: string | null;
  start?: string | null;
  end?: string | null;
  success?: boolean | null;
  output?: unknown;
  error?: StepError | null;
  versionId?: string;
  trigger?: { source?: string };
  rollback?: { outcome?: string; error?: StepError | null } | null;
  stepCount: number;
  steps: Step[];
}

export interface Retention {
  successRetention?: string | number;
  errorRetention?: string | number;
}

export interface CreateInstanceInput {
  id?: string;
  params?: unknown;
  retention?: Retention;
}

export interface CreatedInstance {
  id: string;
  status?: InstanceStatus;
  /** Cloud create responses: which workflow and version the instance will run. */
  workflowId?: string;
  versionId?: string;
  triggerSource?: TriggerSource | string;
}

export interface BatchCreateResult {
  created: CreatedInstance[];
  failed: { index: number; id?: string; error: Error }[];
}

export type StatusAction = 'pause' | 'resume' | 'terminate' | 'restart';

export interface RestartFrom {
  /** Base step name, without the `-N` suffix. */
  name: string;
  /** 1-based occurrence (the `-N` suffix). */
  count?: number;
  type?: 'do' | 'sleep' | 'waitForEvent';
}

export interface ChangeStatusOptions {
  from?: RestartFrom;
  rollback?: boolean;
  signal?: AbortSignal;
}

export interface StepOutputQuery {
  /** Exact name including the `-N` suffix. */
  stepName: string;
  type: 'step' | 'waitForEvent';
  attempt?: number;
}

export interface BackendCapabilities {
  batchCreate: boolean;
  deleteInstance: boolean;
  batchDelete: boolean;
  stepOutput: boolean;
  dateFilter: boolean;
  cursorPaging: boolean;
  rollbackOnTerminate: boolean;
  restartFromStep: boolean;
  retention: boolean;
  /** Local engines report instances blocked in waitForEvent as `running`. */
  reportsWaitingAsRunning: boolean;
}
