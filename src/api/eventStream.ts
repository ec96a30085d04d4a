// The transport of an instance's event stream: a WebSocket (undici's), one event per message.
//
// What is relied on, and where from:
// - The endpoint: GET /accounts/{account_id}/workflows/{workflow_name}/instances/{instance_id}/subscribe
//   with query `cursor` (number: "Last event ID already received") and `filter` (event types, the
//   parameter repeated). Source: Cloudflare's `cf` CLI, whose commands are generated from the API spec
//   (operation id `wor-subscribe-workflow-instance-events`, github.com/cloudflare/cf, the generated
//   `workflows instances subscribe` command): "Opens a WebSocket that streams workflow instance events."
//   The changelog of 2026-09-15 names it "the GET /subscribe API endpoint"
//   (https://developers.cloudflare.com/changelog/post/2026-09-15-instance-event-subscriptions/).
// - The events and the cursor's meaning (resume after that eventId; the stream ends after a terminal
//   event): https://developers.cloudflare.com/workflows/build/subscribe-to-instance-events/
// GUESSES (no page documents them; the API reference had no entry for the endpoint when checked):
// - each text message is one event as JSON, the same object `subscribe().next()` yields; a message with
//   several newline-separated events is read too;
// - the API token goes in the Authorization header as for every other call. A companion endpoint
//   GET …/instances/{instance_id}/subscribe/token exists in the spec (it mints a credential, presumably
//   for browsers, which cannot set headers on a WebSocket); a Node client does not need it;
// - the server closes the socket after the terminal event.
import type { InstanceEvent } from '../model/instanceEvents';
import { isTerminalEvent } from '../model/instanceEvents';
import { WorkflowsApiError } from './errors';
import { parseInstanceEvent } from './events';
import { ShapeError } from './parse';
import { undici } from './undici';

export interface EventStreamHandlers {
  /** The socket is open: the server accepted the subscription. */
  onOpen?(): void;
  onEvent(event: InstanceEvent): void;
}

/**
 * How a stream ended: `ended` after a terminal event; `closed` when the server (or the network) closed
 * it before that, after it had opened: the caller reconnects with its cursor.
 */
export type StreamEnd = 'ended' | 'closed';

export interface EventSocketOptions {
  url: string;
  headers: Record<string, string>;
  connectMs: number;
  maxMessageBytes: number;
  /** For messages: "Cloudflare". */
  service: string;
  /** For messages: 'follow instance "x" of workflow "y"'. */
  op: string;
  signal?: AbortSignal;
}

/** Code of the error when the stream never opened (not found, not supported, refused, unreachable). */
export const STREAM_UNAVAILABLE = 'STREAM_UNAVAILABLE';

/**
 * Reads one subscription until it ends. Rejects with a WorkflowsApiError: code STREAM_UNAVAILABLE when
 * the socket never opened (undici's WebSocket does not expose the handshake's status, so a 404, a 501,
 * a refused token and a network failure all land here), `malformedResponse`/`tooLarge` for a message
 * that is not an event, `cancelled` when the signal fires.
 */
export function readEventSocket(o: EventSocketOptions, handlers: EventStreamHandlers): Promise<StreamEnd> {
  const { WebSocket, Agent } = undici();
  return new Promise<StreamEnd>((resolve, reject) => {
    if (o.signal?.aborted) return reject(new WorkflowsApiError('cancelled', `Cancelled: ${o.op}.`));
    // Its own dispatcher: undici applies the message size limit per dispatcher (webSocket.maxPayloadSize).
    const agent = new Agent({ connect: { timeout: o.connectMs }, webSocket: { maxPayloadSize: o.maxMessageBytes } });
    const ws = new WebSocket(o.url, { headers: o.headers, dispatcher: agent });
    ws.binaryType = 'arraybuffer';
    let opened = false;
    let ended = false;
    let settled = false;
    let failure: WorkflowsApiError | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      fn();
      void agent.close().catch(() => undefined);
    };
    const fail = (e: WorkflowsApiError) => {
      failure ??= e;
      try {
        ws.close(1000);
      } catch {
        /* already closing */
      }
      finish(() => reject(failure));
    };
    const onAbort = () => fail(new WorkflowsApiError('cancelled', `Cancelled: ${o.op}.`));
    o.signal?.addEventListener('abort', onAbort, { once: true });

    ws.addEventListener('open', () => {
      opened = true;
      handlers.onOpen?.();
    });
    ws.addEventListener('message', (ev: { data: unknown }) => {
      if (settled) return;
      const text = typeof ev.data === 'string' ? ev.data : ev.data instanceof ArrayBuffer ? Buffer.from(ev.data).toString('utf8') : '';
      try {
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          const event = parseInstanceEvent(line, o.maxMessageBytes);
          handlers.onEvent(event);
          if (isTerminalEvent(event)) ended = true;
        }
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const kind = e instanceof ShapeError && /larger than|deeper than/.test(message) ? 'tooLarge' : 'malformedResponse';
        fail(new WorkflowsApiError(kind, `${o.service} sent an event that could not be read (${o.op}): ${message}. The stream was closed.`));
      }
    });
    ws.addEventListener('error', () => {
      /* the close event follows and says what happened */
    });
    ws.addEventListener('close', (ev: { code: number }) => {
      if (settled) return;
      if (ended) return finish(() => resolve('ended'));
      if (opened) {
        // 1009: a message over the limit (undici closes the socket itself).
        if (ev.code === 1009) return fail(new WorkflowsApiError('tooLarge', `${o.service} sent an event larger than ${Math.round(o.maxMessageBytes / (1024 * 1024))} MiB (${o.op}); it was not read.`));
        return finish(() => resolve('closed'));
      }
      fail(new WorkflowsApiError('unsupported', `${o.service} did not open the event stream (${o.op}).`, { code: STREAM_UNAVAILABLE }));
    });
  });
}
