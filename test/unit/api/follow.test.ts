// The follower (api/follow.ts) against a fake backend and timers that fire when the test says so:
// reconnects from its cursor with backoff, gives up into 'unavailable' (remembered per backend by the
// StreamAvailability its owner holds), batches reports, and stops cleanly.
import * as assert from 'node:assert/strict';
import { followInstance, StreamAvailability, UNAVAILABLE_FOR_MS } from '../../../src/api/follow';
import { STREAM_UNAVAILABLE } from '../../../src/api/eventStream';
import { WorkflowsApiError } from '../../../src/api/errors';
import type { SubscribeOptions, WorkflowsBackend } from '../../../src/api/backend';
import type { InstanceEvent } from '../../../src/model/instanceEvents';
import type { InstanceDetails } from '../../../src/model/types';
import { ManualScheduler } from '../support/manualScheduler';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

let id = 0;
const ev = (type: string, more: Partial<InstanceEvent> = {}): InstanceEvent => ({ eventId: ++id, timestamp: 1_700_000_000_000 + id, type, ...more });

/** One scripted connection: what it sends, and how it ends. */
type Script = { open?: boolean; events?: InstanceEvent[]; end: 'ended' | 'closed' | Error };

function fakeBackend(scripts: Script[]) {
  const calls: SubscribeOptions[] = [];
  const backend = {
    kind: 'cloud',
    async subscribeInstance(_name: string, _id: string, opts: SubscribeOptions) {
      calls.push(opts);
      const s = scripts.shift() ?? { end: new Error('no more scripts') };
      await Promise.resolve();
      if (s.open !== false) opts.onOpen?.();
      for (const e of s.events ?? []) opts.onEvent(e);
      if (s.end instanceof Error) throw s.end;
      return s.end;
    },
  } as unknown as WorkflowsBackend;
  return { backend, calls };
}

const unavailable = () => new WorkflowsApiError('unsupported', 'did not open', { code: STREAM_UNAVAILABLE });

function follow(backend: WorkflowsBackend, availability = new StreamAvailability(), now = () => 1_000_000) {
  const scheduler = new ManualScheduler();
  const out = { details: [] as InstanceDetails[], ended: undefined as InstanceDetails | undefined, unavailable: undefined as Error | undefined, reconnects: [] as number[] };
  const follower = followInstance(
    backend,
    'wf',
    'i1',
    {
      onDetails: (d) => out.details.push(d),
      onEnd: (d) => (out.ended = d),
      onUnavailable: (e) => (out.unavailable = e),
      onReconnect: (_n, ms) => out.reconnects.push(ms),
    },
    { seed: { id: 'i1', workflow: 'wf' }, availability, scheduler, now, baseDelayMs: 100, maxDelayMs: 1000, maxReconnects: 3 },
  );
  return { scheduler, out, follower, availability };
}

describe('api/follow: following an instance by its event stream', () => {
  it('a stream that says "ended" without a final event is not an end: it reconnects, each time as a failure, then gives up into polling', async () => {
    const running = [ev('workflow_queued'), ev('workflow_started'), ev('step_started', { stepName: 'a-1' })];
    const { backend, calls } = fakeBackend([{ events: running, end: 'ended' }, { end: 'ended' }, { end: 'ended' }, { end: 'ended' }]);
    const { scheduler, out } = follow(backend);
    for (let i = 0; i < 6; i++) {
      await settle();
      scheduler.fire();
    }
    await settle();
    assert.equal(out.ended, undefined, 'never reported as ended');
    assert.equal(calls.length, 4, 'the first connection and three reconnects');
    assert.equal(out.reconnects.length, 3, 'each after a backoff wait');
    assert.ok(out.reconnects[2] > out.reconnects[0], 'backing off, not looping at once');
    assert.match(String(out.unavailable?.message), /kept failing \(the stream said the instance ended, but sent no final event\)/);
  });

  it('reconnects after an early close with the last eventId as its cursor, and ends at the terminal event', async () => {
    const first = [ev('workflow_queued'), ev('workflow_started'), ev('step_started', { stepName: 'a-1' })];
    const second = [ev('step_completed', { stepName: 'a-1' }), ev('workflow_completed', { output: 1 })];
    const { backend, calls } = fakeBackend([
      { events: first, end: 'closed' },
      // A server that replays a little from before the cursor: the fold skips it.
      { events: [first[2], ...second], end: 'ended' },
    ]);
    const { scheduler, out } = follow(backend);
    await settle();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].cursor, undefined, 'the first connection asks for the whole history');
    assert.equal(out.reconnects.length, 1);
    scheduler.fire(); // the batch flush and the reconnect wait
    await settle();
    assert.equal(calls.length, 2);
    assert.equal(calls[1].cursor, first[2].eventId, 'resumes after the last event seen');
    assert.equal(out.ended?.status, 'complete');
    assert.equal(out.ended?.steps.length, 1);
    assert.equal(out.unavailable, undefined);
    assert.equal(out.details.at(-1)?.status, 'complete', 'the last batch is reported before the end');
  });

  it('reports at most one batch of details per timer tick', async () => {
    const events = [ev('workflow_started'), ...Array.from({ length: 50 }, (_, i) => ev('sleep_started', { stepName: `s-${i}` }))];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const backend = {
      kind: 'cloud',
      async subscribeInstance(_n: string, _i: string, opts: SubscribeOptions) {
        opts.onOpen?.();
        for (const e of events) opts.onEvent(e);
        await gate;
        return 'closed';
      },
    } as unknown as WorkflowsBackend;
    const { scheduler, out, follower } = follow(backend);
    await settle();
    assert.equal(out.details.length, 0, 'nothing until the batch timer fires');
    assert.equal(scheduler.pending.size, 1);
    scheduler.fire();
    assert.equal(out.details.length, 1);
    assert.equal(out.details[0].steps.length, 50);
    follower.stop();
    release();
    await settle();
    assert.equal(out.details.length, 1);
  });

  it('says unavailable when the stream never opens, and the availability it was given remembers that backend for 5 minutes', async () => {
    const { backend, calls } = fakeBackend([{ open: false, end: unavailable() }]);
    let now = 1_000_000;
    const availability = new StreamAvailability();
    const { out } = follow(backend, availability, () => now);
    await settle();
    assert.equal((out.unavailable as WorkflowsApiError | undefined)?.extra?.code, STREAM_UNAVAILABLE);
    assert.equal(availability.canFollow(backend, now), false);
    // A second follower (another panel) on the same backend polls at once, without asking the server.
    const second = follow(backend, availability, () => now);
    await settle();
    assert.ok(second.out.unavailable);
    assert.equal(calls.length, 1);
    now += UNAVAILABLE_FOR_MS + 1;
    assert.equal(availability.canFollow(backend, now), true, 'asked again after the window');
    assert.equal(new StreamAvailability().canFollow(backend, 0), true, 'the memory belongs to its owner, not to the module');
  });

  it('never marks a backend without the stream (local) as anything but unable', () => {
    const local = { kind: 'local' } as unknown as WorkflowsBackend;
    assert.equal(new StreamAvailability().canFollow(local), false);
  });

  it('gives up after the reconnects run out when a stream that had opened keeps failing, without marking the backend', async () => {
    const network = () => new WorkflowsApiError('network', 'reset');
    const { backend, calls } = fakeBackend([{ events: [ev('workflow_started')], end: 'closed' }, { open: false, end: network() }, { open: false, end: network() }, { open: false, end: network() }]);
    const { scheduler, out, availability } = follow(backend);
    for (let i = 0; i < 6 && !out.unavailable; i++) {
      await settle();
      scheduler.fire();
    }
    await settle();
    assert.match(String(out.unavailable?.message), /kept failing/);
    assert.equal(calls.length, 4, 'the first connection and 3 reconnects');
    assert.deepEqual(
      calls.slice(1).map((c) => c.cursor),
      [calls[1].cursor, calls[1].cursor, calls[1].cursor],
    );
    assert.ok(out.reconnects[1] >= out.reconnects[0] * 0.5, 'backs off');
    assert.equal(availability.canFollow(backend), true, 'it had worked: the next panel may try again');
  });

  it('gives up at once on a stream that sent something unreadable', async () => {
    const { backend, calls } = fakeBackend([{ events: [ev('workflow_started')], end: new WorkflowsApiError('malformedResponse', 'not an event') }]);
    const { scheduler, out } = follow(backend);
    await settle();
    scheduler.fire();
    await settle();
    assert.match(String(out.unavailable?.message), /not an event/);
    assert.equal(calls.length, 1);
    assert.equal(out.details.at(-1)?.status, 'running', 'what it had read was reported first');
  });

  it('stop() aborts the connection and nothing is reported after it', async () => {
    let signal: AbortSignal | undefined;
    let emit: ((e: InstanceEvent) => void) | undefined;
    const backend = {
      kind: 'cloud',
      subscribeInstance(_n: string, _i: string, opts: SubscribeOptions) {
        signal = opts.signal;
        emit = opts.onEvent;
        opts.onOpen?.();
        return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(new WorkflowsApiError('cancelled', 'cancelled'))));
      },
    } as unknown as WorkflowsBackend;
    const { scheduler, out, follower } = follow(backend);
    await settle();
    follower.stop();
    assert.equal(signal?.aborted, true);
    emit?.(ev('workflow_started'));
    scheduler.fire();
    await settle();
    assert.deepEqual(out.details, []);
    assert.equal(out.unavailable, undefined);
    assert.equal(out.ended, undefined);
    assert.equal(scheduler.pending.size, 0);
  });
});
