// Wire shapes: what actually travels over HTTP. Production (cloud) and the Local Explorer name the same
// things differently; parse.ts turns both into the domain types. test/unit/api/sdk-types.test.ts checks
// the production shapes against the official `cloudflare` SDK so that drift shows at compile time.
import type { KnownStatus } from '../model/types';

export interface WireError {
  code: number;
  message: string;
}

export interface WireResultInfo {
  count?: number;
  per_page?: number;
  total_count?: number;
  /** Production: opaque cursor for the next page; absent or empty on the last one. */
  cursor?: string;
  page?: number;
  total_pages?: number;
  /** Local only. */
  status_counts?: Partial<Record<KnownStatus, number>>;
}

export interface Envelope<T> {
  success: boolean;
  errors: WireError[];
  messages?: unknown[];
  result: T;
  result_info?: WireResultInfo;
}

export type WireTriggerSource = 'unknown' | 'api' | 'binding' | 'event' | 'cron';

// ---- Workflows ----

export interface WireWorkflow {
  name: string;
  id?: string;
  class_name?: string;
  script_name?: string;
  created_on?: string;
  modified_on?: string;
  triggered_on?: string | null;
  /** Per-status counts; every key optional. Cloud list and get, local get. */
  instances?: { [status: string]: number };
  schedules?: { cron: string; next_instance: string }[];
}

// ---- Instances: requests ----

export interface WireRetention {
  error_retention?: number | string;
  success_retention?: number | string;
}

/** Production create body (also one element of a batch). */
export interface CloudCreateInstanceBody {
  instance_id?: string;
  /** Wrangler sends parsed JSON; the 2026 SDK types it as a JSON string. Either is accepted. */
  params?: unknown;
  instance_retention?: WireRetention;
}

/** Local Explorer create body: `id`, not `instance_id` (an `instance_id` is silently ignored). */
export interface LocalCreateInstanceBody {
  id?: string;
  params?: unknown;
}

export interface WireRestartFrom {
  name: string;
  count?: number;
  type?: 'do' | 'sleep' | 'waitForEvent';
}

/** Production status body; current local wrangler accepts the same. */
export type CloudStatusBody =
  | { status: 'pause' }
  | { status: 'resume' }
  | { status: 'terminate'; rollback?: boolean }
  | { status: 'restart'; from?: WireRestartFrom };

/** The Local Explorer of wrangler 4.79–4.1xx names the field `action`. */
export type LegacyLocalStatusBody =
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'terminate'; rollback?: boolean }
  | { action: 'restart'; from?: WireRestartFrom };

export interface CloudListInstancesQuery {
  cursor?: string;
  per_page?: number;
  status?: KnownStatus;
  date_start?: string;
  date_end?: string;
  direction?: 'asc' | 'desc';
}

export interface LocalListInstancesQuery {
  page?: number;
  per_page?: number;
  status?: Exclude<KnownStatus, 'rollingBack'>;
}

export interface CloudStepQuery {
  name: string;
  type: 'step' | 'waitForEvent';
  attempt?: number;
}

export interface BatchDeleteBody {
  instances: string[];
}

// ---- Instances: responses ----

export interface CloudCreatedInstance {
  id: string;
  status?: string;
  version_id?: string;
  workflow_id?: string;
  trigger_source?: WireTriggerSource;
}

export interface WireInstanceListItem {
  id: string;
  /** Local entries whose metadata cannot be read come back without a status. */
  status?: string;
  created_on?: string;
  modified_on?: string;
  started_on?: string | null;
  ended_on?: string | null;
  version_id?: string;
  workflow_id?: string;
  trigger_source?: WireTriggerSource;
}

export interface WireStepError {
  name: string;
  message: string;
}

export interface WireAttempt {
  start?: string | null;
  end?: string | null;
  success?: boolean | null;
  error?: WireStepError | null;
}

export interface WireStepConfig {
  retries?: { limit?: number; delay?: string | number; backoff?: string };
  timeout?: string | number;
  sensitive?: string;
}

export interface WireDoStep {
  type: 'step' | 'rollback';
  name: string;
  start?: string | null;
  end?: string | null;
  success?: boolean | null;
  output?: unknown;
  attempts?: WireAttempt[];
  config?: WireStepConfig | null;
}

export interface WireSleepStep {
  type: 'sleep';
  name: string;
  start?: string | null;
  end?: string | null;
  finished?: boolean;
  error?: WireStepError | null;
}

export interface WireWaitStep {
  type: 'waitForEvent';
  name: string;
  start?: string | null;
  end?: string | null;
  finished?: boolean;
  error?: WireStepError | null;
  event_type?: string;
  output?: unknown;
}

export interface WireTerminationStep {
  type: 'termination';
  trigger?: { source?: string };
}

export type WireStep = WireDoStep | WireSleepStep | WireWaitStep | WireTerminationStep;

/** Instance detail; production and local share it, local lacks versionId, trigger, success, rollback. */
export interface WireInstanceDetail {
  status?: string;
  params?: unknown;
  queued?: string | null;
  start?: string | null;
  end?: string | null;
  success?: boolean | null;
  output?: unknown;
  error?: WireStepError | null;
  versionId?: string;
  trigger?: { source?: string };
  schedule?: { cron: string; scheduledTime: number };
  rollback?: { outcome?: string; error?: WireStepError | null } | null;
  step_count?: number;
  steps?: WireStep[];
}

export interface CloudStepOutput {
  status?: string;
  error?: WireStepError | null;
  output?: unknown;
  event_type?: string;
}

export interface CloudStatusResult {
  status?: string;
  timestamp?: string;
}

export interface WireBatchDeleteResult {
  deleted: { id: string }[];
  errors: { id: string; code?: number; message?: string }[];
}

// ---- Account setup ----

export interface WireTokenVerify {
  id: string;
  status: string;
  expires_on?: string;
  not_before?: string;
}

export interface WireAccount {
  id: string;
  name: string;
  type?: string;
  created_on?: string;
}
