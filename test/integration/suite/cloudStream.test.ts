// The instance view and Watch Instance on a Cloudflare account follow the instance's event stream
// (issue 14): after the first detail request, the panel (or the watch) reaches the final state with no
// further detail requests; with the stream unavailable (501) the panel polls as before. Counted by the production-shaped gateway, whose stream
// carries the real engine's own events.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CloudConnection } from '../../../src/connections/types';
import type { HostToWebview } from '../../../src/webview/protocol';
import { api, truth, waitFor } from '../helpers';
import { answering, confirmWith } from '../prompts';
import { gatewayLog, type GatewayRequest } from '../../support/gatewayLog';

const env = (k: string) => {
  const v = process.env[k];
  assert.ok(v, `${k} is set by the runner`);
  return v;
};

async function setStream(mode: 'on' | '501'): Promise<void> {
  const res = await fetch(new URL(`/__gateway/stream?mode=${mode}`, env('CFWF_GATEWAY_API')), { method: 'POST' });
  assert.equal(res.status, 200);
}

const pathname = (l: GatewayRequest) => new URL(l.path, 'http://x').pathname;
/** GET …/instances/{id}: one detail request (not /step, not /subscribe). */
const detailGets = (log: GatewayRequest[], id: string) => log.filter((l) => l.method === 'GET' && pathname(l).endsWith(`/instances/${id}`));
const subscribes = (log: GatewayRequest[], id: string) => log.filter((l) => pathname(l).endsWith(`/instances/${id}/subscribe`));

// Runs for a few seconds: a retried step, a 1 s sleep and a wait that times out after 2 s.
const PARAMS = { orderId: 'S-1', outputKb: 1, approvalTimeout: '2 seconds' };

describe('Cloud instance view follows the event stream (through the gateway)', () => {
  let conn: CloudConnection;

  before(async () => {
    await setStream('on');
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const { result: added } = await answering((p) => (p.kind === 'inputBox' ? env('CFWF_GATEWAY_WRITE_TOKEN') : undefined), () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount'));
    conn = added[0];
  });
  after(async () => {
    await setStream('on');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (conn) await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', conn.id));
  });

  /** Creates a running instance through the cloud connection, opens its panel and waits for the panel to show it complete. */
  async function openUntilComplete(id: string): Promise<{ statuses: string[]; last: Extract<HostToWebview, { type: 'instance' }> }> {
    const a = await api();
    const target = { connectionId: conn.id, connectionLabel: '', workflow: 'order-pipeline', id };
    const statuses: string[] = [];
    const sub = a.panels.manager.onDidPost((p) => {
      if (p.target.id === id && p.message.type === 'instance') statuses.push(p.message.details.status);
    });
    try {
      await a.service.createInstance(conn.id, 'order-pipeline', { id, params: PARAMS });
      await vscode.commands.executeCommand('cloudflareWorkflows.openInstance', { connectionId: conn.id, workflow: 'order-pipeline', id });
      const last = await waitFor(
        `the panel of ${id} shows it complete`,
        async () => {
          const m = a.panels.manager.lastPosted(target);
          return m?.type === 'instance' && m.details.status === 'complete' ? m : undefined;
        },
        60_000,
      );
      return { statuses, last };
    } finally {
      sub.dispose();
    }
  }

  it('a running instance reaches complete in its panel by the stream alone: one detail request, then none', async function () {
    this.timeout(120_000);
    const id = `stream-view-${Date.now()}`;
    const { statuses, last } = await openUntilComplete(id);
    assert.ok(statuses.some((s) => s !== 'complete'), `the panel showed it unfinished first (${statuses.join(', ')})`);
    assert.equal(last.meta.live, false, 'the header no longer says Live');
    assert.deepEqual(
      last.details.steps.slice(0, 3).map((s) => s.name),
      ['load order-1', 'reserve stock-1', 'cool down-1'],
    );
    // A moment more: nothing polls after the final state either.
    await new Promise((r) => setTimeout(r, 4000));
    const log = await gatewayLog(env('CFWF_GATEWAY_API'));
    assert.equal(detailGets(log, id).length, 1, `exactly the first detail request: ${JSON.stringify(detailGets(log, id))}`);
    const subs = subscribes(log, id);
    assert.ok(subs.length >= 1 && subs.every((l) => l.status === 101), `followed by the stream: ${JSON.stringify(subs)}`);
  });

  it('Watch Instance learns of the completion from the stream: one detail request, then none', async function () {
    this.timeout(120_000);
    const a = await api();
    const id = `stream-watch-${Date.now()}`;
    await a.service.createInstance(conn.id, 'approval-gate', { id });
    await waitFor('waiting for its decision', async () => (await truth().getInstance('approval-gate', id)).steps.some((s) => s.type === 'waitForEvent'));
    await vscode.commands.executeCommand('cloudflareWorkflows.watchInstance', { connectionId: conn.id, workflow: 'approval-gate', id });
    await a.watches.check();
    // At once: the stream's first batch then often holds the completion already, before the check that
    // started it has stored the state it saw (the full run once lost the notification that way).
    await truth().sendEvent('approval-gate', id, 'decision', { approved: true });
    await waitFor('the completion notified', async () => a.watches.notified.some((n) => n.includes(`${id} completed`)), 30_000);
    await waitFor('the finished watch ends', async () => !a.watches.list().some((w) => w.id === id));
    const log = await gatewayLog(env('CFWF_GATEWAY_API'));
    assert.ok(subscribes(log, id).some((l) => l.status === 101), 'the watch followed the stream');
    assert.equal(detailGets(log, id).length, 1, `only the watch's first detail request: ${JSON.stringify(detailGets(log, id))}`);
  });

  it('with the stream unavailable (501) the panel polls instead and still reaches complete', async function () {
    this.timeout(120_000);
    await setStream('501');
    const id = `stream-poll-${Date.now()}`;
    const { last } = await openUntilComplete(id);
    assert.equal(last.meta.live, false);
    const log = await gatewayLog(env('CFWF_GATEWAY_API'));
    const subs = subscribes(log, id);
    assert.equal(subs.length, 1, `asked for the stream once: ${JSON.stringify(subs)}`);
    assert.equal(subs[0].status, 501);
    assert.ok(detailGets(log, id).length >= 2, `polled the details (${detailGets(log, id).length} requests)`);
  });
});
