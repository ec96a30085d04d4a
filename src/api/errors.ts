// One typed error for everything that can go wrong talking to a backend. Its message is written for
// the user; it never contains a credential.

export type ErrorKind =
  | 'auth'
  | 'permission'
  | 'notFound'
  | 'conflict'
  | 'invalidInput'
  | 'rateLimited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'malformedResponse'
  | 'cancelled'
  | 'unsupported'
  /** A response larger, or JSON nested deeper, than the call accepts: nothing of it was used. */
  | 'tooLarge';

export interface ApiErrorDetail {
  code: number;
  message: string;
}

export class WorkflowsApiError extends Error {
  override readonly name = 'WorkflowsApiError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly extra: {
      status?: number;
      errors?: ApiErrorDetail[];
      /** When a rate-limited request may be tried again. */
      retryAt?: Date;
      cfRay?: string;
      /** Method and path (no host credentials, no query secrets). */
      request?: string;
      /** Low-level cause code for network failures, e.g. ECONNRESET. */
      code?: string;
    } = {},
  ) {
    super(message);
  }
  get status(): number | undefined {
    return this.extra.status;
  }
  get errors(): ApiErrorDetail[] {
    return this.extra.errors ?? [];
  }
  /** Logs and telemetry get the user-facing fields only (an Error's message is not enumerable). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message, ...this.extra };
  }
}

export function isApiError(e: unknown, kind?: ErrorKind): e is WorkflowsApiError {
  return e instanceof WorkflowsApiError && (kind === undefined || e.kind === kind);
}
