import { strict as assert } from 'node:assert';
import { deriveState, describeDerivedState, parseDuration, pendingEventType, retryDelayMs } from '../../../src/model/derived';
import { formatDuration } from '../../../src/model/format';
import { InstanceBuilder } from './builders';

describe('parseDuration', () => {
  it('reads numbers as milliseconds', () => {
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('250'), 250);
  });
  it('reads the engine duration strings', () => {
    assert.equal(parseDuration('500 millis'), 500);
    assert.equal(parseDuration('500 milliseconds'), 500);
    assert.equal(parseDuration('1 second'), 1000);
    assert.equal(parseDuration('30 seconds'), 30_000);
    assert.equal(parseDuration('10 minutes'), 600_000);
    assert.equal(parseDuration('2 hours'), 7_200_000);
    assert.equal(parseDuration('1 day'), 86_400_000);
    assert.equal(parseDuration('1.5 seconds'), 1500);
    assert.equal(parseDuration('5s'), 5000);
  });
  it('returns undefined for dynamic, negative and unreadable values', () => {
    assert.equal(parseDuration('[dynamic]'), undefined);
    assert.equal(parseDuration(-1), undefined);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('3 fortnights'), undefined);
    assert.equal(parseDuration(undefined), undefined);
    assert.equal(parseDuration({}), undefined);
  });
});

describe('retryDelayMs', () => {
  it('follows the engine backoff formulas', () => {
    assert.equal(retryDelayMs({ delay: 100, backoff: 'constant' }, 3), 100);
    assert.equal(retryDelayMs({ delay: 100, backoff: 'linear' }, 3), 300);
    assert.equal(retryDelayMs({ delay: 100, backoff: 'exponential' }, 3), 400);
    assert.equal(retryDelayMs({ delay: '1 second' }, 2), 1000);
    assert.equal(retryDelayMs({ delay: '[dynamic]', backoff: 'linear' }, 2), undefined);
  });
});

describe('formatDuration', () => {
  it('picks a readable unit', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(1234), '1.23 s');
    assert.equal(formatDuration(200_000), '3 m 20 s');
    assert.equal(formatDuration(7_500_000), '2 h 5 m');
  });
});

describe('deriveState', () => {
  it('is none for final and queued instances', () => {
    const b = new InstanceBuilder().do('a');
    assert.deepEqual(deriveState(b.build('complete'), b.now), { kind: 'none' });
    assert.deepEqual(deriveState(b.build('queued'), b.now), { kind: 'none' });
  });

  it('reports a step waiting for its next attempt, with the planned time', () => {
    const b = new InstanceBuilder().do('charge', { attempts: [{ ms: 10, fail: 'declined' }, { after: 200, ms: 10, fail: 'declined again' }], retries: { limit: 3, delay: 200, backoff: 'exponential' }, open: true });
    const details = b.build('running');
    const lastEnd = Date.parse((details.steps[0] as { attempts: { end: string }[] }).attempts[1].end);
    const state = deriveState(details, lastEnd + 50);
    assert.equal(state.kind, 'retrying');
    if (state.kind !== 'retrying') return;
    assert.equal(state.step, 'charge-1');
    assert.equal(state.attempt, 3);
    assert.equal(state.limit, 3);
    assert.equal(state.nextAttemptAt, lastEnd + 400); // exponential: 200 · 2^(2-1)
    assert.equal(state.lastError?.message, 'declined again');
    assert.equal(describeDerivedState(state, lastEnd + 50), 'Retrying · attempt 3 of 4 · next in 350 ms');
  });

  it('reports a retry attempt in progress', () => {
    const b = new InstanceBuilder().do('charge', { attempts: [{ ms: 10, fail: 'x' }, { after: 20 }], retries: { limit: 2, delay: 20, backoff: 'constant' } });
    const state = deriveState(b.build('running'), b.now);
    assert.equal(state.kind, 'retrying');
    if (state.kind === 'retrying') {
      assert.equal(state.attempt, 2);
      assert.equal(state.nextAttemptAt, undefined);
    }
  });

  it('reports a first attempt as plain running', () => {
    const b = new InstanceBuilder().do('a').do('b', { attempts: [{}] });
    const state = deriveState(b.build('running'), b.now + 100);
    assert.equal(state.kind, 'running');
    if (state.kind === 'running') assert.equal(state.step, 'b-1');
  });

  it('reports sleeping with the time slept so far', () => {
    const b = new InstanceBuilder().do('a').sleep('nap');
    const state = deriveState(b.build('running'), b.now + 90_000);
    assert.deepEqual(state, { kind: 'sleeping', step: 'nap-1', since: b.now, elapsedMs: 90_000 });
    assert.equal(describeDerivedState(state, b.now), 'Sleeping · 1 m 30 s');
  });

  it('reports a wait, with the event type when the step gives it', () => {
    const local = new InstanceBuilder().do('a').waitForEvent('approval').build('running');
    const s1 = deriveState(local, Date.now());
    assert.equal(s1.kind, 'waitingForEvent');
    assert.equal(pendingEventType(local), undefined);

    const cloud = new InstanceBuilder().do('a').waitForEvent('approval', { eventType: 'approved' }).build('waiting');
    const s2 = deriveState(cloud, Date.now());
    assert.equal(s2.kind === 'waitingForEvent' && s2.eventType, 'approved');
    assert.equal(pendingEventType(cloud), 'approved');
    assert.equal(describeDerivedState(s2, Date.now()), 'Waiting for event "approved"');
  });

  it('has no pending event once the wait is over or the instance is final', () => {
    const received = new InstanceBuilder().waitForEvent('approval', { received: { type: 'approved' } }).do('next', { attempts: [{}] }).build('running');
    assert.equal(pendingEventType(received), undefined);
    const done = new InstanceBuilder().waitForEvent('approval', { eventType: 'x' }).build('terminated');
    assert.equal(pendingEventType(done), undefined);
  });

  it('ignores steps of unknown types and termination entries', () => {
    const b = new InstanceBuilder().sleep('nap').unknown('stream', 'pipe').terminated();
    // Unknown steps and termination entries are skipped: the open sleep before them is what counts.
    assert.equal(deriveState(b.build('running'), b.now).kind, 'sleeping');
  });
});
