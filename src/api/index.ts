// The API layer's public surface: two backends behind one interface, account-setup helpers, one error
// type, and the domain types. Nothing outside src/api should import from its other files.
export type { BackendStats, BatchDeleteResult, GetInstanceOptions, RequestOptions, StepOutput, SubscribeOptions, WorkflowsBackend } from './backend';
export { followInstance, StreamAvailability, UNAVAILABLE_FOR_MS, type Follower, type FollowHandlers, type FollowOptions, type FollowScheduler } from './follow';
export { STREAM_UNAVAILABLE } from './eventStream';
export { parseInstanceEvent } from './events';
export { isApiError, WorkflowsApiError, type ApiErrorDetail, type ErrorKind } from './errors';
export { localBackend, LOCAL_API_PATHS, type LocalBackendOptions, type LocalWorkflowsBackend } from './local';
export {
  cloudBackend,
  listAccounts,
  verifyToken,
  CLOUD_API_BASE,
  type Account,
  type CloudBackendOptions,
  type CloudConnectionOptions,
  type CloudWorkflowsBackend,
  type TokenVerification,
} from './cloud';
export { verifyCredential, type VerifiedCredential, type VerifyEndpoint } from './auth';
export { formatRetryAt, type RateBudgetOptions } from './rate-budget';
export { assertExistingInstanceId, assertWorkflowName } from './validate';
export { httpHost, isLoopback, isLoopbackHost } from './address';
export type { RetryPolicy, Timeouts } from './transport';
export * from '../model/types';
