// Input validation done before anything is sent: a bad value is a clear message and no request.

export const LIMITS = {
  workflowName: 64,
  instanceId: 100,
  eventType: 100,
  stepName: 256,
  payloadBytes: 1024 * 1024,
  batch: 100,
} as const;

const ID_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9-_]*$/;

/** Returns a message describing what is wrong, or undefined when the value is fine. */
export function checkInstanceId(id: string): string | undefined {
  if (id.length === 0) return 'Instance ID must not be empty.';
  if (id.length > LIMITS.instanceId) return `Instance ID is ${id.length} characters; the limit is ${LIMITS.instanceId}.`;
  if (!ID_PATTERN.test(id)) return 'Instance ID may contain only letters, digits, "-" and "_", and must not start with "-".';
  return undefined;
}

export function checkWorkflowName(name: string): string | undefined {
  if (name.length === 0) return 'Workflow name must not be empty.';
  if (name.length > LIMITS.workflowName) return `Workflow name is ${name.length} characters; the limit is ${LIMITS.workflowName}.`;
  return undefined;
}

export function checkEventType(type: string): string | undefined {
  if (type.length === 0) return 'Event type must not be empty.';
  if (type.length > LIMITS.eventType) return `Event type is ${type.length} characters; the limit is ${LIMITS.eventType}.`;
  return undefined;
}

/** Checks that a value survives JSON serialisation and fits the 1 MiB limit. */
export function checkJsonPayload(value: unknown, what = 'Payload'): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    return `${what} cannot be serialised as JSON: ${(e as Error).message}`;
  }
  if (value !== undefined && text === undefined) return `${what} cannot be serialised as JSON.`;
  const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.payloadBytes) return `${what} is ${formatBytes(bytes)}; the limit is 1 MiB.`;
  return undefined;
}

/** Parses user-typed JSON text; returns the value or a message with the position of the error. */
export function parseJsonText(text: string, what = 'JSON'): { value: unknown } | { error: string } {
  if (text.trim() === '') return { value: undefined };
  if (Buffer.byteLength(text, 'utf8') > LIMITS.payloadBytes) return { error: `${what} is larger than 1 MiB.` };
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `${what} is not valid JSON: ${(e as Error).message}` };
  }
}

// Retention: milliseconds, or "<n> <unit>[s]" with the Workflows duration units (workerd
// types/defines/workflows.d.ts WorkflowDurationLabel; `instance_retention` in the create body takes
// "ms or a string like '5 minutes'", workflows-api.md §1.7, CFTS InstanceCreateParams).
const DURATION = /^(\d+(?:\.\d+)?) ?(millisecond|second|minute|hour|day|week|month|year)s?$/;

/** One retention value (success or error): undefined when it is acceptable. */
export function checkRetention(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? undefined : `${what} must be a whole number of milliseconds above 0, or a duration like "7 days".`;
  if (typeof value !== 'string') return `${what} must be a duration like "7 days" or a number of milliseconds.`;
  const m = DURATION.exec(value.trim());
  if (!m || Number(m[1]) <= 0) return `${what} "${value.slice(0, 40)}" is not a duration; use a number and one of second, minute, hour, day, week, month, year (e.g. "7 days").`;
  return undefined;
}

export function checkBatchSize(n: number): string | undefined {
  if (n === 0) return 'The batch is empty.';
  if (n > LIMITS.batch) return `A batch holds at most ${LIMITS.batch} instances; got ${n}.`;
  return undefined;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
