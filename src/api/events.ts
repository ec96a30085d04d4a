// Reading one message of an instance's event stream. Pure: text in, a checked InstanceEvent out.
// What the server sends is hostile: a message larger than the limit or nested deeper than
// MAX_JSON_DEPTH is refused before JSON.parse; every field is type-checked, unknown fields dropped,
// strings bounded. Field list: https://developers.cloudflare.com/workflows/build/subscribe-to-instance-events/#event-fields
import type { InstanceEvent } from '../model/instanceEvents';
import type { StepConfig, StepError } from '../model/types';
import { isObj, ShapeError, type Obj } from './parse';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './transport';

/**
 * Largest message read. GUESS: Cloudflare documents no per-event limit; a step_completed event carries
 * the step's output, which the Workers API caps at 1 MiB per step (streamed outputs can be larger:
 * changelog 2026-04-21), so 16 MiB leaves room without letting a server make us hold more.
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;
/** Names and types are short in practice; anything longer is cut, not trusted. */
const MAX_NAME_CHARS = 4096;

function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ShapeError(`event.${key}`, 'should be a string');
  return v.length > MAX_NAME_CHARS ? v.slice(0, MAX_NAME_CHARS) : v;
}

function num(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(`event.${key}`, 'should be a finite number');
  return v;
}

function stepError(v: unknown): StepError | undefined {
  if (!isObj(v)) return undefined;
  const name = typeof v.name === 'string' ? v.name.slice(0, MAX_NAME_CHARS) : 'Error';
  const message = typeof v.message === 'string' ? v.message : '';
  return { name, message };
}

function stepConfig(v: unknown): StepConfig | undefined {
  if (!isObj(v)) return undefined;
  const out: StepConfig = {};
  const r = v.retries;
  if (isObj(r)) {
    out.retries = {};
    if (typeof r.limit === 'number') out.retries.limit = r.limit;
    if (typeof r.delay === 'number' || typeof r.delay === 'string') out.retries.delay = r.delay;
    if (typeof r.backoff === 'string') out.retries.backoff = r.backoff;
  }
  if (typeof v.timeout === 'number' || typeof v.timeout === 'string') out.timeout = v.timeout;
  if (typeof v.sensitive === 'string') out.sensitive = v.sensitive;
  return out;
}

/** UTF-8 length without encoding the string (a JS string of n UTF-16 units is at most 3n bytes). */
function utf8Length(text: string): number {
  if (text.length * 3 <= MAX_EVENT_BYTES) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

/**
 * One event from one message. Throws ShapeError for anything that is not an event (the caller drops
 * the connection: a stream that lies once is not read further).
 */
export function parseInstanceEvent(text: string, maxBytes = MAX_EVENT_BYTES): InstanceEvent {
  if (utf8Length(text) > maxBytes) throw new ShapeError('event', `is larger than ${Math.round(maxBytes / 1024)} KiB`);
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new ShapeError('event', `is nested deeper than ${MAX_JSON_DEPTH} levels`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ShapeError('event', 'is not JSON');
  }
  if (!isObj(v)) throw new ShapeError('event', 'should be an object');
  const type = str(v, 'type');
  const eventId = num(v, 'eventId');
  const timestamp = num(v, 'timestamp');
  if (type === undefined || type === '') throw new ShapeError('event.type', 'is missing');
  if (eventId === undefined || !Number.isSafeInteger(eventId) || eventId < 0) throw new ShapeError('event.eventId', 'should be an integer >= 0');
  if (timestamp === undefined) throw new ShapeError('event.timestamp', 'is missing');
  const e: InstanceEvent = { eventId, timestamp, type, size: text.length };
  const stepName = str(v, 'stepName');
  if (stepName !== undefined) e.stepName = stepName;
  const attempt = num(v, 'attempt');
  if (attempt !== undefined) e.attempt = attempt;
  const durationMs = num(v, 'durationMs');
  if (durationMs !== undefined) e.durationMs = durationMs;
  const retryDelayMs = num(v, 'retryDelayMs');
  if (retryDelayMs !== undefined) e.retryDelayMs = retryDelayMs;
  const eventType = str(v, 'eventType');
  if (eventType !== undefined) e.eventType = eventType;
  const error = stepError(v.error);
  if (error) e.error = error;
  const config = stepConfig(v.config);
  if (config) e.config = config;
  if ('output' in v) e.output = v.output;
  if ('params' in v) e.params = v.params;
  // Step events without a step name cannot be placed; they are refused rather than guessed at.
  if (/^(step|attempt|sleep|wait|rollback_step|rollback_attempt)_/.test(type) && (e.stepName === undefined || e.stepName === '')) throw new ShapeError('event.stepName', 'is missing');
  return e;
}
