import { strict as assert } from 'node:assert';
import { InstanceSession, type FetchedInstance, type InstancePanelDeps, type Scheduler } from '../../../src/webview/instanceSession';
import type { HostToWebview, PanelTarget, WebviewAction } from '../../../src/webview/protocol';
import type { InstanceDetails, InstanceStatus } from '../../../src/model/types';
import { InstanceBuilder } from '../model/builders';

const target: PanelTarget = { connectionId: 'local', connectionLabel: 'Local dev', workflow: 'order-pipeline', id: 'inst-1' };

/** Timers that fire only when the test says so. */
class ManualScheduler implements Scheduler {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fires every pending timer once. */
  fire(): void {
    const due = [...this.pending.entries()];
    this.pending.clear();
    for (const [, t] of due) t.fn();
  }
  get delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

function details(status: InstanceStatus): InstanceDetails {
  return new InstanceBuilder().do('load').do('charge', { attempts: [{ ms: 5, fail: 'no' }], open: status !== 'complete' }).build(status);
}

function setup(opts: { interval?: number; fetch?: (signal: AbortSignal) => Promise<FetchedInstance> } = {}) {
  const posted: HostToWebview[] = [];
  const calls: string[] = [];
  const scheduler = new ManualScheduler();
  let fetches = 0;
  const status: { value: InstanceStatus } = { value: 'running' };
  const deps: InstancePanelDeps = {
    fetchInstance: (_t, signal) => {
      fetches++;
      return opts.fetch ? opts.fetch(signal) : Promise.resolve({ details: details(status.value) });
    },
    runAction: async (_t, action: WebviewAction, step) => {
      calls.push(`action:${action}:${step ?? ''}`);
      if (action === 'terminate') throw new Error('cannot terminate');
    },
    openJson: (_t, what, step, value) => void calls.push(`json:${what}:${step ?? ''}:${JSON.stringify(value)?.slice(0, 20)}`),
    goToSource: (_t, step) => {
      calls.push(`source:${step}`);
      if (step === 'charge-1') throw new Error('No step.do call named "charge" was found.');
    },
    loadFullOutput: async (_t, step) => ({ full: step }),
    log: { info: () => undefined, warn: (m) => calls.push(`warn:${m.slice(0, 40)}`), error: (m) => calls.push(`error:${m}`) },
  };
  const clipboard: string[] = [];
  const session = new InstanceSession(target, deps, { post: (m) => posted.push(m), writeClipboard: async (t) => void clipboard.push(t) }, { refreshIntervalMs: () => opts.interval ?? 2000, scheduler, now: () => 1000 });
  return { session, posted, calls, scheduler, status, clipboard, fetches: () => fetches };
}

describe('InstanceSession', () => {
  it('waits for the webview to be ready, then sends init, loading and the instance', async () => {
    const s = setup();
    await s.session.refresh();
    assert.equal(s.posted.length, 0, 'nothing is posted before ready');
    await s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.deepEqual(
      s.posted.map((m) => m.type),
      ['init', 'instance', 'instance'],
    );
    const inst = s.posted[1];
    assert.ok(inst.type === 'instance');
    assert.deepEqual(inst.meta.actions, ['pause', 'terminate', 'restart']);
    assert.equal(inst.meta.canSendEvent, true);
    assert.equal(inst.meta.live, true);
    assert.equal(inst.meta.connectionLabel, 'Local dev');
    assert.deepEqual(inst.meta.capabilities, { stepOutput: false, restartFromStep: false, goToSource: false });
  });

  it('shows loading before the first data only', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    assert.deepEqual(
      s.posted.map((m) => m.type),
      ['init', 'loading', 'instance'],
    );
  });

  it('polls on the interval until the instance is final, then stops', async () => {
    const s = setup({ interval: 1500 });
    await s.session.handleMessage({ type: 'ready' });
    assert.deepEqual(s.scheduler.delays, [1500]);
    s.scheduler.fire();
    await flush();
    assert.equal(s.fetches(), 2);
    s.status.value = 'complete';
    s.scheduler.fire();
    await flush();
    assert.equal(s.fetches(), 3);
    assert.deepEqual(s.scheduler.delays, [], 'no more polling at a final state');
    const last = s.session.lastPosted;
    assert.ok(last?.type === 'instance' && last.meta.live === false);
  });

  it('never overlaps requests: a refresh during a fetch runs once afterwards', async () => {
    const gates: ReturnType<typeof deferred<FetchedInstance>>[] = [];
    const s = setup({
      fetch: () => {
        const d = deferred<FetchedInstance>();
        gates.push(d);
        return d.promise;
      },
    });
    const ready = s.session.handleMessage({ type: 'ready' });
    await flush();
    assert.equal(gates.length, 1);
    void s.session.refresh();
    void s.session.refresh();
    s.scheduler.fire();
    await flush();
    assert.equal(gates.length, 1, 'still one request in flight');
    gates[0].resolve({ details: details('running') });
    await flush();
    assert.equal(gates.length, 2, 'exactly one follow-up');
    gates[1].resolve({ details: details('running') });
    await ready;
    await flush();
    assert.equal(gates.length, 2);
    assert.equal(s.scheduler.pending.size, 1);
  });

  it('pauses while hidden and resumes when the reloaded webview is ready', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    s.session.setVisible(false);
    assert.equal(s.scheduler.pending.size, 0);
    assert.equal(s.session.polling, false);
    s.session.setVisible(true);
    assert.equal(s.scheduler.pending.size, 0, 'waits for the webview');
    const before = s.posted.length;
    await s.session.handleMessage({ type: 'ready' });
    // The cached instance is shown at once, then a fresh one follows.
    assert.deepEqual(
      s.posted.slice(before).map((m) => m.type),
      ['init', 'instance', 'instance'],
    );
    assert.equal(s.scheduler.pending.size, 1);
  });

  it('reports fetch errors, keeps polling with a growing delay', async () => {
    let fail = true;
    const s = setup({ interval: 1000, fetch: async () => (fail ? Promise.reject(new Error('HTTP 502')) : { details: details('running') }) });
    await s.session.handleMessage({ type: 'ready' });
    assert.deepEqual(s.posted.at(-1), { type: 'error', message: 'HTTP 502' });
    assert.deepEqual(s.scheduler.delays, [2000]);
    s.scheduler.fire();
    await flush();
    assert.deepEqual(s.scheduler.delays, [4000]);
    fail = false;
    s.scheduler.fire();
    await flush();
    assert.deepEqual(s.scheduler.delays, [1000]);
  });

  it('passes meta the caller knows better than the defaults', async () => {
    const s = setup({ fetch: async () => ({ details: details('running'), meta: { capabilities: { stepOutput: true, restartFromStep: true, goToSource: true }, canSendEvent: false } }) });
    await s.session.handleMessage({ type: 'ready' });
    const m = s.session.lastPosted;
    assert.ok(m?.type === 'instance');
    assert.deepEqual(m.meta.capabilities, { stepOutput: true, restartFromStep: true, goToSource: true });
    assert.equal(m.meta.canSendEvent, false);
  });

  it('delivers a step selection after the data', async () => {
    const s = setup();
    s.session.selectStep('charge-1');
    await s.session.handleMessage({ type: 'ready' });
    const types = s.posted.map((m) => m.type);
    assert.ok(types.indexOf('selectStep') > types.indexOf('instance'));
  });

  it('runs actions, reports the outcome and refreshes', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    const fetches = s.fetches();
    await s.session.handleMessage({ type: 'action', action: 'pause' });
    await s.session.handleMessage({ type: 'action', action: 'terminate' });
    await s.session.handleMessage({ type: 'action', action: 'restartFromStep', step: 'charge-1' });
    assert.deepEqual(
      s.calls.filter((c) => c.startsWith('action')),
      ['action:pause:', 'action:terminate:', 'action:restartFromStep:charge-1'],
    );
    const results = s.posted.filter((m) => m.type === 'actionResult');
    assert.deepEqual(results, [
      { type: 'actionResult', action: 'pause', ok: true },
      { type: 'actionResult', action: 'terminate', ok: false, message: 'cannot terminate' },
      { type: 'actionResult', action: 'restartFromStep', ok: true },
    ]);
    assert.equal(s.fetches(), fetches + 3);
  });

  it('only acts on steps the instance has', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    await s.session.handleMessage({ type: 'action', action: 'restartFromStep', step: 'no such step-1' });
    await s.session.handleMessage({ type: 'goToSource', step: 'evil-1' });
    await s.session.handleMessage({ type: 'goToSource', step: 'load-1' });
    assert.deepEqual(
      s.calls.filter((c) => !c.startsWith('warn')),
      ['source:load-1'],
    );
    assert.equal(s.calls.filter((c) => c.startsWith('warn')).length, 2);
  });

  it('tells the webview when a request fails', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    await s.session.handleMessage({ type: 'goToSource', step: 'charge-1' });
    assert.deepEqual(s.session.lastPosted, { type: 'requestFailed', request: 'goToSource', message: 'No step.do call named "charge" was found.' });
  });

  it('ignores and logs malformed messages', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'action', action: 'rm -rf' });
    await s.session.handleMessage('ready');
    assert.equal(s.fetches(), 0);
    assert.equal(s.calls.length, 2);
  });

  it('copies, opens JSON with the shown value and loads full output', async () => {
    const s = setup();
    await s.session.handleMessage({ type: 'ready' });
    await s.session.handleMessage({ type: 'copy', text: 'hello' });
    await s.session.handleMessage({ type: 'openJson', what: 'params' });
    await s.session.handleMessage({ type: 'openJson', what: 'step', step: 'load-1' });
    await s.session.handleMessage({ type: 'loadFullOutput', step: 'load-1' });
    assert.deepEqual(s.clipboard, ['hello']);
    assert.deepEqual(
      s.calls.filter((c) => c.startsWith('json')),
      ['json:params::{}', 'json:step:load-1:{"type":"step","name'],
    );
    assert.deepEqual(s.posted.at(-1), { type: 'fullOutput', step: 'load-1', output: { full: 'load-1' } });
  });

  it('stops everything on dispose and aborts the request in flight', async () => {
    let signal: AbortSignal | undefined;
    const gate = deferred<FetchedInstance>();
    const s = setup({
      fetch: (sig) => {
        signal = sig;
        return gate.promise;
      },
    });
    void s.session.handleMessage({ type: 'ready' });
    await flush();
    s.session.dispose();
    assert.equal(signal?.aborted, true);
    const count = s.posted.length;
    gate.resolve({ details: details('running') });
    await flush();
    assert.equal(s.posted.length, count);
    assert.equal(s.scheduler.pending.size, 0);
  });
});
