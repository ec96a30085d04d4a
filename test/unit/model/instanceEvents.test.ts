// The event parser (api/events.ts) and the fold of events into details (model/instanceEvents.ts):
// whatever a server sends is refused or ignored without anything but a ShapeError, and the fold's
// statuses, steps and attempts match the events, with bounded memory.
import * as assert from 'node:assert/strict';
import { parseInstanceEvent } from '../../../src/api/events';
import { ShapeError } from '../../../src/api/parse';
import { FOLD_LIMITS, InstanceEventFold, mergeFolded, TRUNCATED_OUTPUT, type InstanceEvent } from '../../../src/model/instanceEvents';
import type { DoStep, InstanceDetails } from '../../../src/model/types';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
let nextId = 0;
const ev = (type: string, more: Partial<InstanceEvent> = {}): InstanceEvent => ({ eventId: ++nextId, timestamp: T0 + nextId * 1000, type, ...more });
const fold = (...events: InstanceEvent[]) => {
  const f = new InstanceEventFold({ id: 'i1', workflow: 'wf', versionId: 'v1' });
  for (const e of events) f.apply(e);
  return f;
};

describe('model/instanceEvents: parsing one message', () => {
  it('reads an event, keeps the known fields and drops the rest', () => {
    const e = parseInstanceEvent(JSON.stringify({ instanceId: 'i1', eventId: 4, timestamp: T0, type: 'attempt_errored', stepName: 'charge-1', attempt: 2, error: { name: 'Error', message: 'declined', stack: 'x' }, evil: { nested: 1 } }));
    assert.deepEqual(e, { eventId: 4, timestamp: T0, type: 'attempt_errored', stepName: 'charge-1', attempt: 2, error: { name: 'Error', message: 'declined' }, size: e.size });
    assert.ok((e.size ?? 0) > 0, 'the message size is recorded for the fold budget');
  });

  const hostile: [string, string][] = [
    ['not JSON', '{"type":'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"workflow_completed"'],
    ['no type', JSON.stringify({ eventId: 1, timestamp: T0 })],
    ['an empty type', JSON.stringify({ eventId: 1, timestamp: T0, type: '' })],
    ['a type that is not a string', JSON.stringify({ eventId: 1, timestamp: T0, type: { toString: 1 } })],
    ['no eventId', JSON.stringify({ timestamp: T0, type: 'workflow_queued' })],
    ['a negative eventId', JSON.stringify({ eventId: -1, timestamp: T0, type: 'workflow_queued' })],
    ['a fractional eventId', JSON.stringify({ eventId: 1.5, timestamp: T0, type: 'workflow_queued' })],
    ['an eventId past 2^53', JSON.stringify({ eventId: 2 ** 60, timestamp: T0, type: 'workflow_queued' })],
    ['an eventId as a string', JSON.stringify({ eventId: '3', timestamp: T0, type: 'workflow_queued' })],
    ['no timestamp', JSON.stringify({ eventId: 1, type: 'workflow_queued' })],
    ['a step event without a step name', JSON.stringify({ eventId: 1, timestamp: T0, type: 'step_started' })],
    ['a step name that is not a string', JSON.stringify({ eventId: 1, timestamp: T0, type: 'step_started', stepName: ['a'] })],
    ['an attempt that is not a number', JSON.stringify({ eventId: 1, timestamp: T0, type: 'attempt_started', stepName: 'a', attempt: '1' })],
    ['nesting past the depth limit', `{"eventId":1,"timestamp":1,"type":"step_completed","stepName":"a","output":${'['.repeat(200)}${']'.repeat(200)}}`],
  ];
  for (const [what, text] of hostile) {
    it(`refuses ${what} with a ShapeError`, () => {
      assert.throws(() => parseInstanceEvent(text), ShapeError);
    });
  }

  it('refuses a message over the size limit before parsing it', () => {
    assert.throws(() => parseInstanceEvent(JSON.stringify({ eventId: 1, timestamp: T0, type: 'x', pad: 'y'.repeat(2000) }), 1024), /larger than/);
  });

  it('cuts very long names and reads only typed config fields', () => {
    const e = parseInstanceEvent(JSON.stringify({ eventId: 1, timestamp: T0, type: 'step_started', stepName: 'n'.repeat(10_000), config: { retries: { limit: '5', delay: 10, backoff: 7 }, timeout: {}, sensitive: 'x', other: 1 }, error: 'not an object' }));
    assert.equal(e.stepName?.length, 4096);
    assert.deepEqual(e.config, { retries: { delay: 10 }, sensitive: 'x' });
    assert.equal(e.error, undefined);
  });
});

describe('model/instanceEvents: the fold', () => {
  it('follows a run to complete: statuses, steps, attempts with their errors, sleeps, waits and the output', () => {
    const seen: string[] = [];
    const f = new InstanceEventFold({ id: 'i1', workflow: 'wf' });
    const apply = (e: InstanceEvent) => {
      f.apply(e);
      seen.push(f.details().status);
    };
    [
      ev('workflow_queued'),
      ev('workflow_started', { params: { orderId: 'A' } }),
      ev('step_started', { stepName: 'charge-1', config: { retries: { limit: 2 } } }),
      ev('attempt_started', { stepName: 'charge-1', attempt: 1 }),
      ev('attempt_errored', { stepName: 'charge-1', attempt: 1, error: { name: 'Error', message: 'declined' } }),
      ev('attempt_started', { stepName: 'charge-1', attempt: 2 }),
      ev('attempt_completed', { stepName: 'charge-1', attempt: 2 }),
      ev('step_completed', { stepName: 'charge-1', output: { ok: true } }),
      ev('sleep_started', { stepName: 'cool down-1' }),
      ev('sleep_completed', { stepName: 'cool down-1' }),
      ev('wait_started', { stepName: 'approval-1', eventType: 'approve' }),
      ev('wait_timed_out', { stepName: 'approval-1' }),
      ev('workflow_completed', { output: 'done' }),
    ].forEach(apply);
    const d = f.details();
    assert.equal(seen[0], 'queued');
    assert.equal(seen[1], 'running');
    assert.equal(d.status, 'complete');
    assert.equal(d.success, true);
    assert.equal(d.output, 'done');
    assert.deepEqual(d.params, { orderId: 'A' });
    assert.equal(d.versionId, undefined);
    assert.ok(f.ended);
    assert.deepEqual(d.steps.map((s) => [s.type, s.name]), [['step', 'charge-1'], ['sleep', 'cool down-1'], ['waitForEvent', 'approval-1']]);
    const charge = d.steps[0] as DoStep;
    assert.equal(charge.success, true);
    assert.deepEqual(charge.output, { ok: true });
    assert.deepEqual(charge.attempts.map((a) => [a.success, a.error?.message ?? null]), [[false, 'declined'], [true, null]]);
    assert.equal(d.steps[1].type === 'sleep' && d.steps[1].finished, true);
    assert.equal(d.steps[2].type === 'waitForEvent' && d.steps[2].eventType, 'approve');
    assert.match(String(d.steps[2].type === 'waitForEvent' && d.steps[2].error?.message), /timed out/);
    assert.equal(d.stepCount, 3);
  });

  it('ends errored and terminated with their status, and keeps the error', () => {
    const errored = fold(ev('workflow_started'), ev('step_started', { stepName: 'a-1' }), ev('step_errored', { stepName: 'a-1' }), ev('workflow_errored', { error: { name: 'Error', message: 'boom' } }));
    assert.equal(errored.details().status, 'errored');
    assert.equal(errored.details().error?.message, 'boom');
    assert.equal((errored.details().steps[0] as DoStep).success, false);
    assert.equal(fold(ev('workflow_started'), ev('workflow_terminated')).details().status, 'terminated');
    assert.equal(fold(ev('workflow_started'), ev('workflow_paused')).details().status, 'paused');
    assert.equal(fold(ev('workflow_started'), ev('workflow_waiting')).details().status, 'waiting');
    const rolled = fold(ev('workflow_started'), ev('rollback_started'), ev('rollback_step_started', { stepName: 'undo-1' }), ev('rollback_completed'));
    assert.equal(rolled.details().status, 'rollingBack');
    assert.equal(rolled.details().steps[0].type, 'rollback');
    assert.deepEqual(rolled.details().rollback, { outcome: 'complete', error: null });
  });

  it('skips events at or before the cursor, so a replay never doubles a step or an attempt', () => {
    const events = [ev('workflow_started'), ev('step_started', { stepName: 'a-1' }), ev('attempt_started', { stepName: 'a-1', attempt: 1 })];
    const f = fold(...events);
    for (const e of events) assert.equal(f.apply(e), false);
    assert.equal(f.details().steps.length, 1);
    assert.equal((f.details().steps[0] as DoStep).attempts.length, 1);
    assert.equal(f.cursor, events[2].eventId);
    assert.equal(f.apply({ ...ev('step_started', { stepName: 'a-1' }) }), false, 'a second start of the same step is ignored');
    assert.equal(f.details().steps.length, 1);
  });

  it('ignores unknown event types, events for steps it never saw and steps of the wrong kind, without throwing', () => {
    const f = fold(ev('workflow_started'), ev('sleep_started', { stepName: 's-1' }));
    assert.equal(f.apply(ev('workflow_teleported')), false);
    assert.equal(f.apply(ev('attempt_completed', { stepName: 'never-started-1', attempt: 1 })), false);
    assert.equal(f.apply(ev('step_completed', { stepName: 's-1' })), false, 'a sleep is not a do step');
    assert.equal(f.apply(ev('wait_completed', { stepName: 's-1' })), false, 'nor a wait');
    assert.equal(f.apply(ev('sleep_completed', { stepName: '__proto__' })), false);
    assert.equal(f.apply(ev('step_started', { stepName: '__proto__' })), true, 'any name is just a name');
    assert.equal(f.details().status, 'running');
    assert.equal(f.details().steps.length, 2);
  });

  it('refuses an attempt number that would allocate without bound, and reads a fractional one as its floor', () => {
    const f = fold(ev('workflow_started'), ev('step_started', { stepName: 'a-1' }));
    assert.equal(f.apply(ev('attempt_errored', { stepName: 'a-1', attempt: 1e9 })), false);
    assert.equal((f.details().steps[0] as DoStep).attempts.length, 0);
    assert.equal(f.apply(ev('attempt_errored', { stepName: 'a-1', attempt: 2.7, error: { name: 'E', message: 'x' } })), true);
    const attempts = (f.details().steps[0] as DoStep).attempts;
    assert.equal(attempts.length, 2, 'the unseen first attempt is added');
    assert.equal(attempts[1].success, false);
  });

  it('holds at most the step and attempt limits', () => {
    const f = fold(ev('workflow_started'), ev('step_started', { stepName: 'a-1' }));
    for (let i = 0; i < FOLD_LIMITS.attemptsPerStep + 50; i++) f.apply(ev('attempt_started', { stepName: 'a-1' }));
    assert.equal((f.details().steps[0] as DoStep).attempts.length, FOLD_LIMITS.attemptsPerStep);
    for (let i = 0; i < FOLD_LIMITS.steps + 50; i++) f.apply(ev('sleep_started', { stepName: `s-${i}` }));
    assert.equal(f.details().steps.length, FOLD_LIMITS.steps);
  });

  it('holds at most FOLD_LIMITS.attempts attempt rows in all: many steps each claiming attempt 1,000 stop there', () => {
    const f = fold(ev('workflow_started'));
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      f.apply(ev('step_started', { stepName: `s-${i}` }));
      if (f.apply(ev('attempt_errored', { stepName: `s-${i}`, attempt: FOLD_LIMITS.attemptsPerStep, error: { name: 'E', message: 'x' } }))) accepted++;
    }
    const total = (f.details().steps as DoStep[]).reduce((n, st) => n + st.attempts.length, 0);
    assert.ok(total <= FOLD_LIMITS.attempts, `${total} attempt rows`);
    assert.equal(accepted, Math.floor(FOLD_LIMITS.attempts / FOLD_LIMITS.attemptsPerStep), 'each step up to the total, then refused');
    // Started attempts count against the same total.
    assert.equal(f.apply(ev('step_started', { stepName: 'late-1' })), true);
    assert.equal(f.apply(ev('attempt_started', { stepName: 'late-1' })), false);
  });

  it('past the payload budget, outputs read as truncated and errors are cut', () => {
    const big = FOLD_LIMITS.payloadChars - 10;
    const f = fold(ev('workflow_started'), ev('step_started', { stepName: 'a-1' }), ev('step_completed', { stepName: 'a-1', output: 'first', size: big }));
    f.apply(ev('step_started', { stepName: 'b-1' }));
    f.apply(ev('attempt_errored', { stepName: 'b-1', attempt: 1, error: { name: 'E', message: 'm'.repeat(5000) }, size: 5100 }));
    f.apply(ev('step_completed', { stepName: 'b-1', output: 'second', size: 100 }));
    const [a, b] = f.details().steps as DoStep[];
    assert.equal(a.output, 'first');
    assert.equal(b.output, TRUNCATED_OUTPUT);
    assert.equal(b.attempts[0].error?.message.length, FOLD_LIMITS.errorCharsOverBudget);
  });

  it('hands out copies: later events do not change details already handed on', () => {
    const f = fold(ev('workflow_started'), ev('step_started', { stepName: 'a-1' }), ev('attempt_started', { stepName: 'a-1', attempt: 1 }));
    const before = f.details();
    f.apply(ev('attempt_completed', { stepName: 'a-1', attempt: 1 }));
    f.apply(ev('step_completed', { stepName: 'a-1' }));
    assert.equal((before.steps[0] as DoStep).success, null);
    assert.equal((before.steps[0] as DoStep).attempts[0].success, null);
  });
});

describe('model/instanceEvents: mergeFolded', () => {
  const base: InstanceDetails = {
    id: 'i1',
    workflow: 'wf',
    status: 'running',
    params: { from: 'detail' },
    start: '2026-12-02T10:00:00.000Z',
    versionId: 'v1',
    stepCount: 2,
    steps: [
      { type: 'waitForEvent', name: 'w-1', start: 'x', end: 'y', finished: true, error: null, output: { payload: 'from the detail' } },
      { type: 'step', name: 'a-1', start: 'x', end: null, success: null, attempts: [] },
    ],
  };

  it('is undefined while the replay has fewer steps than the details fetched', () => {
    const f = fold(ev('workflow_started'), ev('wait_started', { stepName: 'w-1' }));
    assert.equal(mergeFolded(base, f.details(), f.ended), undefined);
  });

  it('keeps the fetched version of finished steps and of fields the events did not set', () => {
    const f = fold(ev('workflow_started'), ev('wait_started', { stepName: 'w-1' }), ev('wait_completed', { stepName: 'w-1' }), ev('step_started', { stepName: 'a-1' }), ev('step_completed', { stepName: 'a-1', output: 1 }));
    const m = mergeFolded(base, f.details(), f.ended);
    assert.ok(m);
    assert.deepEqual(m.steps[0], base.steps[0], 'the received payload stays');
    assert.equal((m.steps[1] as DoStep).success, true, 'the running step takes the news');
    assert.deepEqual(m.params, { from: 'detail' });
    assert.equal(m.status, 'running');
  });

  it('shows an ended fold even if it has fewer steps', () => {
    const f = fold(ev('workflow_started'), ev('workflow_terminated'));
    assert.equal(mergeFolded(base, f.details(), f.ended)?.status, 'terminated');
  });
});
