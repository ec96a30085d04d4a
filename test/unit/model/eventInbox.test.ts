import { strict as assert } from 'node:assert';
import {
  DEFAULT_WAIT_TIMEOUT_MS,
  describeWait,
  eventArrived,
  groupByType,
  openWait,
  planDetailFetches,
  sendInChunks,
  SentLedger,
  sourceTimeoutMs,
  stableJson,
  type ScanCacheEntry,
  type WaitingEntry,
} from '../../../src/model/eventInbox';
import { formatDuration as fmt } from '../../../src/model/format';
import { findStepCalls } from '../../../src/model/stepCalls';
import { InstanceBuilder, T0 } from './builders';

const entry = (id: string, eventType?: string, since?: number, workflow = 'wf'): WaitingEntry => ({ id, workflow, step: 'wait-1', typeSource: eventType ? 'source' : 'unknown', ...(eventType !== undefined ? { eventType } : {}), ...(since !== undefined ? { since } : {}) });

describe('eventInbox: openWait', () => {
  it('finds the open waitForEvent of a running instance (local: no type until received)', () => {
    const b = new InstanceBuilder().do('load').waitForEvent('await decision');
    const d = b.build('running');
    const w = openWait(d, b.now + 5000);
    assert.ok(w);
    assert.equal(w.step, 'await decision-1');
    assert.equal(w.eventType, undefined);
    assert.equal(typeof w.since, 'number');
  });
  it('takes the type from the step data where the backend gives it (production event_type)', () => {
    const d = new InstanceBuilder().waitForEvent('approve', { eventType: 'approval' }).build('waiting');
    assert.equal(openWait(d, T0 + 1)?.eventType, 'approval');
  });
  it('is undefined for a received or timed-out wait, a sleep, a running step and a finished instance', () => {
    assert.equal(openWait(new InstanceBuilder().waitForEvent('w', { ms: 10, received: { type: 'x' } }).do('next', { attempts: [{}] }).build('running'), T0), undefined);
    assert.equal(openWait(new InstanceBuilder().waitForEvent('w', { ms: 10, timeout: true }).build('running'), T0), undefined);
    assert.equal(openWait(new InstanceBuilder().sleep('nap').build('running'), T0), undefined);
    assert.equal(openWait(new InstanceBuilder().do('work', { attempts: [{}] }).build('running'), T0), undefined);
    assert.equal(openWait(new InstanceBuilder().waitForEvent('w').build('terminated'), T0), undefined);
  });
});

describe('eventInbox: grouping and wait text', () => {
  it('groups by type with counts, oldest wait first inside, "unknown type" last', () => {
    const now = T0 + 100_000;
    const groups = groupByType([entry('a', 'approval', T0 + 50_000), entry('b', 'approval', T0), entry('c'), entry('d', 'decision', T0 + 10), entry('e', 'approval')], now);
    assert.deepEqual(groups.map((g) => [g.type, g.entries.map((e) => e.id)]), [
      ['approval', ['b', 'a', 'e']],
      ['decision', ['d']],
      [undefined, ['c']],
    ]);
    assert.equal(groups[0].oldestMs, 100_000);
    assert.equal(groups[2].oldestMs, undefined);
  });
  it('says how long each has waited and the timeout where known', () => {
    assert.equal(describeWait({ since: T0, timeoutMs: 3_600_000 }, T0 + 600_000), `waiting ${fmt(600_000)} · times out in ${fmt(3_000_000)}`);
    assert.equal(describeWait({ since: T0 }, T0 + 1000), `waiting ${fmt(1000)} · timeout unknown`);
    assert.equal(describeWait({ since: T0, timeoutMs: 1000 }, T0 + 5000), `waiting ${fmt(5000)} · timeout passed`);
    assert.equal(describeWait({ timeoutMs: 1000 }, T0), `waiting · timeout ${fmt(1000)}`);
  });
  it('reads the timeout from the source call: a literal, the 24-hour default, or unknown when computed', () => {
    const calls = findStepCalls(`
      await step.waitForEvent('a', { type: 'x', timeout: '1 hour' });
      await step.waitForEvent('b', { type: 'y' });
      await step.waitForEvent('c', { type: 'z', timeout: event.payload?.t ?? '2 seconds' });
      await step.waitForEvent('d', options);
      await step.waitForEvent('e', { timeout: 5000, type: 'w' });`);
    assert.deepEqual(calls.map((c) => sourceTimeoutMs(c)), [3_600_000, DEFAULT_WAIT_TIMEOUT_MS, undefined, undefined, 5000]);
    assert.deepEqual(calls.map((c) => c.eventType), ['x', 'y', 'z', undefined, 'w']);
    assert.equal(sourceTimeoutMs(undefined), undefined, 'no source call: unknown');
  });
});

describe('eventInbox: which details a scan fetches (bounded, cached)', () => {
  const limits = { maxFetches: 3, waitingTtlMs: 120_000, otherTtlMs: 30_000 };
  it('fetches never-seen instances first, at most maxFetches, and counts the rest as unchecked', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const r = planDetailFetches(ids, new Map(), T0, limits);
    assert.deepEqual(r.fetch, ['a', 'b', 'c']);
    assert.equal(r.unchecked, 2);
  });
  it('fetches nothing again while the cache is fresh, and only the stale ones after their TTL', () => {
    const cache = new Map<string, ScanCacheEntry>([
      ['w', { fetchedAt: T0, waiting: true }],
      ['r', { fetchedAt: T0, waiting: false }],
    ]);
    assert.deepEqual(planDetailFetches(['w', 'r'], cache, T0 + 29_000, limits).fetch, []);
    assert.deepEqual(planDetailFetches(['w', 'r'], cache, T0 + 30_000, limits).fetch, ['r'], 'a running non-waiting instance is re-checked after 30 s');
    assert.deepEqual(planDetailFetches(['w', 'r'], cache, T0 + 120_000, limits).fetch, ['w', 'r']);
  });
  it('a scan of 100 running instances repeated 10 times costs at most maxFetches each time, and nothing once all are cached', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `i${i}`);
    const cache = new Map<string, ScanCacheEntry>();
    let fetched = 0;
    for (let scan = 0; scan < 10; scan++) {
      const plan = planDetailFetches(ids, cache, T0 + scan, { ...limits, maxFetches: 10 });
      assert.ok(plan.fetch.length <= 10);
      fetched += plan.fetch.length;
      for (const id of plan.fetch) cache.set(id, { fetchedAt: T0 + scan, waiting: true });
    }
    assert.equal(fetched, 100, 'each instance fetched once over ten scans');
    assert.deepEqual(planDetailFetches(ids, cache, T0 + 11, { ...limits, maxFetches: 10 }).fetch, []);
  });
});

describe('eventInbox: did a send that timed out arrive?', () => {
  it('yes when a wait received that type at or after the send; no for another type, an older receipt or a wait still open', () => {
    const b = new InstanceBuilder().idle(10_000).waitForEvent('await decision', { ms: 1000, received: { type: 'decision' } });
    const received = b.now;
    const d = b.build('running');
    assert.equal(eventArrived(d, 'decision', received - 5000, received), true);
    assert.equal(eventArrived(d, 'decision', received + 60_000, received), false, 'received before the send: an earlier event');
    assert.equal(eventArrived(d, 'other', received - 5000, received), false);
    assert.equal(eventArrived(new InstanceBuilder().waitForEvent('await decision').build('running'), 'decision', T0, T0 + 1), false);
  });
  it('without a readable timestamp: yes only when received and no wait is open any more', () => {
    const d = new InstanceBuilder().waitForEvent('w', { ms: 10, received: { type: 'decision' } }).build('complete');
    const step = d.steps[0] as { output: { timestamp?: unknown } };
    step.output.timestamp = 'soon';
    assert.equal(eventArrived(d, 'decision', T0 + 1e9, T0), true);
    const open = new InstanceBuilder().waitForEvent('w', { ms: 10, received: { type: 'decision' } }).waitForEvent('w2').build('running');
    (open.steps[0] as { output: { timestamp?: unknown } }).output.timestamp = undefined;
    assert.equal(eventArrived(open, 'decision', T0 + 1e9, T0), false);
  });
});

describe('eventInbox: Send Event to All bookkeeping', () => {
  const t = (id: string, workflow = 'wf') => ({ connectionId: 'c', workflow, id });
  it('the ledger tells already-sent instances apart (same type and payload, keys in any order)', () => {
    const l = new SentLedger();
    l.record(t('a'), 'approval', { ok: true, by: 'me' });
    const { toSend, already } = l.split([t('a'), t('b'), t('a')], 'approval', { by: 'me', ok: true });
    assert.deepEqual(toSend.map((x) => x.id), ['b']);
    assert.deepEqual(already.map((x) => x.id), ['a']);
    assert.equal(l.split([t('a')], 'approval', { ok: false }).toSend.length, 1, 'another payload is another event');
    assert.equal(l.split([t('a')], 'other', { ok: true, by: 'me' }).toSend.length, 1, 'another type is another event');
    assert.equal(l.split([t('a', 'wf2')], 'approval', { ok: true, by: 'me' }).toSend.length, 1, 'another workflow is another instance');
  });
  it('the ledger is bounded', () => {
    const l = new SentLedger(2);
    for (const id of ['a', 'b', 'c']) l.record(t(id), 'x', {});
    assert.equal(l.has(t('a'), 'x', {}), false);
    assert.equal(l.has(t('c'), 'x', {}), true);
  });
  it('stableJson ignores key order and undefined members', () => {
    assert.equal(stableJson({ b: 1, a: [1, { d: 2, c: undefined }] }), stableJson({ a: [1, { d: 2 }], b: 1 }));
  });
  it('sends in chunks, asking the budget before each chunk, and leaves what does not fit as not sent', async () => {
    const targets = Array.from({ length: 25 }, (_, i) => i);
    let budget = 17;
    const sent: number[] = [];
    const asked: (number | undefined)[] = [];
    const r = await sendInChunks(targets, async (n) => {
      budget--;
      sent.push(n);
    }, { chunkSize: 10, concurrency: 3, remaining: () => (asked.push(budget), budget) });
    assert.deepEqual(asked, [17, 7, 0]);
    assert.equal(r.ok.length, 17);
    assert.deepEqual([...sent].sort((a, b) => a - b), targets.slice(0, 17));
    assert.deepEqual(r.notSent, targets.slice(17));
    assert.equal(r.stoppedBy, 'budget');
  });
  it('reports each failure per item and goes on; a rate-limited failure stops the rest (not sent, not failed)', async () => {
    const r = await sendInChunks([1, 2, 3, 4, 5, 6], async (n) => {
      if (n === 2) throw new Error('instance gone');
      if (n === 4) throw Object.assign(new Error('rate limited'), { limited: true });
    }, { chunkSize: 3, concurrency: 1 }, (e) => !!(e as { limited?: boolean }).limited);
    assert.deepEqual(r.ok, [1, 3]);
    assert.deepEqual(r.failed.map((f) => [f.target, f.message, !!f.rateLimited]), [[2, 'instance gone', false], [4, 'rate limited', true]]);
    assert.deepEqual(r.notSent, [5, 6]);
    assert.equal(r.stoppedBy, 'budget');
  });
  it('stops when cancelled, between chunks', async () => {
    let cancel = false;
    const r = await sendInChunks([1, 2, 3, 4], async () => {
      cancel = true;
    }, { chunkSize: 2, concurrency: 2, cancelled: () => cancel });
    assert.deepEqual(r.ok, [1, 2]);
    assert.deepEqual(r.notSent, [3, 4]);
    assert.equal(r.stoppedBy, 'cancelled');
  });
  it('a retry through the ledger sends only to the rest', async () => {
    const l = new SentLedger();
    const all = ['a', 'b', 'c', 'd'].map((id) => t(id));
    const calls: string[] = [];
    let fail = true;
    const send = async (x: { id: string }) => {
      if (fail && x.id === 'c') throw new Error('timeout');
      calls.push(x.id);
      l.record(t(x.id), 'go', { n: 1 });
    };
    const first = await sendInChunks(l.split(all, 'go', { n: 1 }).toSend, send, { chunkSize: 10, concurrency: 2 });
    assert.equal(first.failed.length, 1);
    fail = false;
    calls.length = 0;
    const second = l.split(all, 'go', { n: 1 });
    assert.deepEqual(second.toSend.map((x) => x.id), ['c']);
    await sendInChunks(second.toSend, send, { chunkSize: 10, concurrency: 2 });
    assert.deepEqual(calls, ['c'], 'only the one that failed was sent again');
  });
});
