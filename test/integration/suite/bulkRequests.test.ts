// Bulk Terminate and Delete on a Cloudflare account go through the batch endpoints: selecting N
// instances in the tree costs ⌈N/100⌉ requests to …/instances/batch/terminate and …/batch/delete, and
// no per-instance status change or DELETE. Counted by the production-shaped gateway itself.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CloudConnection } from '../../../src/connections/types';
import type { ConnectionNode, InstanceNode } from '../../../src/tree/nodes';
import { api, expectCommandError, isKind, truth, waitFor } from '../helpers';
import { answering, confirmWith } from '../prompts';
import { gatewayLog } from '../../support/gatewayLog';

const env = (k: string) => {
  const v = process.env[k];
  assert.ok(v, `${k} is set by the runner`);
  return v;
};

describe('Bulk terminate and delete on a cloud account (through the gateway)', () => {
  it('101 selected instances: two batch terminate requests and two batch delete requests (⌈101/100⌉), no per-instance calls', async function () {
    this.timeout(240_000);
    const a = await api();
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const { result: added } = await answering((p) => (p.kind === 'inputBox' ? env('CFWF_GATEWAY_WRITE_TOKEN') : undefined), () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount'));
    const conn = added[0];
    try {
      // One more than a batch holds, so that the chunking shows: 101 instances cost 2 calls, not 101.
      const N = 101;
      const stamp = Date.now();
      const ids = Array.from({ length: N }, (_, i) => `bulk-req-${stamp}-${i}`);
      const made = await truth().createInstances('long-sleeper', ids.map((id) => ({ id, params: { minutes: 600 } })));
      assert.equal(made.failed.length, 0);
      const root = ((await a.tree.getChildren()) as ConnectionNode[]).find((n) => n.kind === 'connection' && n.connection.id === conn.id);
      assert.ok(root);
      const sleeper = (await a.tree.getChildren(root)).filter(isKind('workflow')).find((w) => w.name === 'long-sleeper');
      assert.ok(sleeper);
      const nodes = await waitFor(`the ${N} instances listed as running`, async () => {
        await a.tree.refresh(sleeper);
        const running = (await a.tree.getChildren(sleeper)).filter(isKind('group')).find((g) => g.status === 'running');
        if (!running) return undefined;
        // Pages of 50 (the default): "Load more" until the group lists them all, as a user would.
        let children = await a.tree.getChildren(running);
        while (children.some((c) => c.kind === 'loadMore') && children.filter(isKind('instance')).filter((n) => ids.includes(n.instance.id)).length < N) {
          await a.tree.loadMore(running);
          children = await a.tree.getChildren(running);
        }
        const found = children.filter(isKind('instance')).filter((n: InstanceNode) => ids.includes(n.instance.id));
        return found.length === N ? found : undefined;
      });
      const before = (await gatewayLog(env('CFWF_GATEWAY_API'))).length;
      await answering(confirmWith('Terminate'), () => vscode.commands.executeCommand('cloudflareWorkflows.terminate', nodes[0], nodes));
      const afterTerminate = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(before);
      assert.equal(afterTerminate.filter((l) => l.method === 'POST' && l.path.endsWith('/long-sleeper/instances/batch/terminate')).length, 2, JSON.stringify(afterTerminate));
      assert.equal(afterTerminate.filter((l) => l.method === 'PATCH').length, 0, 'no per-instance status change');
      for (const id of ids) await waitFor(`${id} terminated`, async () => (await truth().getInstance('long-sleeper', id)).status === 'terminated');

      const mid = (await gatewayLog(env('CFWF_GATEWAY_API'))).length;
      await answering(confirmWith('Delete'), () => vscode.commands.executeCommand('cloudflareWorkflows.deleteInstance', nodes[0], nodes));
      const afterDelete = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(mid);
      assert.equal(afterDelete.filter((l) => l.method === 'POST' && l.path.endsWith('/long-sleeper/instances/batch/delete')).length, 2, JSON.stringify(afterDelete));
      assert.equal(afterDelete.filter((l) => l.method === 'DELETE').length, 0, 'no per-instance DELETE');
      const left = new Set<string>();
      for (let next: string | undefined, first = true; first || next; first = false) {
        const listed = await truth().listInstances('long-sleeper', { perPage: 100, next });
        for (const i of listed.instances) left.add(i.id);
        next = listed.next;
      }
      for (const id of ids) assert.ok(!left.has(id), `${id} was deleted`);
    } finally {
      await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', conn.id));
    }
  });
  it('Create Instances from JSON File on a cloud account sends each item\'s instance_retention in one batch; a bad retention sends nothing', async function () {
    this.timeout(120_000);
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const { result: added } = await answering((p) => (p.kind === 'inputBox' ? env('CFWF_GATEWAY_WRITE_TOKEN') : undefined), () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount'));
    const conn = added[0];
    const dir = mkdtempSync(join(tmpdir(), 'cfwf-retention-'));
    try {
      const stamp = Date.now();
      const items = [
        { id: `ret-${stamp}-a`, params: { count: 1 }, instance_retention: { success_retention: '1 day', error_retention: '7 days' } },
        { id: `ret-${stamp}-b`, params: { count: 1 }, instance_retention: { error_retention: 3_600_000 } },
        { id: `ret-${stamp}-c`, params: { count: 1 } },
      ];
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify(items));
      const before = (await gatewayLog(env('CFWF_GATEWAY_API'))).length;
      const { result } = await answering((p) => (p.kind === 'openDialog' ? good : undefined), () => vscode.commands.executeCommand<{ created: unknown[]; failed: unknown[] }>('cloudflareWorkflows.createInstancesFromFile', { connectionId: conn.id, workflow: 'bulk-import' }));
      assert.equal(result.created.length, 3);
      assert.equal(result.failed.length, 0);
      const sent = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(before).filter((l) => l.method === 'POST' && l.path.includes('/workflows/bulk-import/instances'));
      assert.deepEqual(sent.map((l) => l.path.replace(/^.*\/workflows\//, '')), ['bulk-import/instances/batch'], 'one batch create request');
      // What the gateway received per instance (it keeps instance_retention as sent; the engine has none).
      const kept = (await (await fetch(new URL('/__gateway/retention', env('CFWF_GATEWAY_API')))).json()) as Record<string, unknown>;
      assert.deepEqual(kept[items[0].id], items[0].instance_retention);
      assert.deepEqual(kept[items[1].id], items[1].instance_retention);
      assert.equal(kept[items[2].id], undefined, 'no retention sent for the item without one');

      // A retention that is not a duration: the whole file is refused and nothing is sent.
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify([{ id: `ret-${stamp}-d`, instance_retention: { success_retention: 'forever' } }]));
      expectCommandError('createInstancesFromFile', /Nothing was created: Item 0 success_retention/);
      const mid = (await gatewayLog(env('CFWF_GATEWAY_API'))).length;
      await answering((p) => (p.kind === 'openDialog' ? bad : undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.createInstancesFromFile', { connectionId: conn.id, workflow: 'bulk-import' }));
      const afterBad = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(mid).filter((l) => l.method === 'POST');
      assert.deepEqual(afterBad, [], 'nothing sent for a file with a bad retention');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', conn.id));
    }
  });
});
