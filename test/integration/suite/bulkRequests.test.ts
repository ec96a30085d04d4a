// Bulk Terminate and Delete on a Cloudflare account go through the batch endpoints: selecting N
// instances in the tree costs ⌈N/100⌉ requests to …/instances/batch/terminate and …/batch/delete, and
// no per-instance status change or DELETE. Counted by the production-shaped gateway itself.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CloudConnection } from '../../../src/connections/types';
import type { ConnectionNode, InstanceNode } from '../../../src/tree/nodes';
import { api, isKind, truth, waitFor } from '../helpers';
import { answering, confirmWith } from '../prompts';
import { gatewayLog } from '../../support/gatewayLog';

const env = (k: string) => {
  const v = process.env[k];
  assert.ok(v, `${k} is set by the runner`);
  return v;
};

describe('Bulk terminate and delete on a cloud account (through the gateway)', () => {
  it('3 selected instances: one batch terminate request and one batch delete request, no per-instance calls', async function () {
    this.timeout(120_000);
    const a = await api();
    await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
    const { result: added } = await answering((p) => (p.kind === 'inputBox' ? env('CFWF_GATEWAY_WRITE_TOKEN') : undefined), () => vscode.commands.executeCommand<CloudConnection[]>('cloudflareWorkflows.addAccount'));
    const conn = added[0];
    try {
      const ids = [0, 1, 2].map((i) => `bulk-req-${Date.now()}-${i}`);
      const made = await truth().createInstances('long-sleeper', ids.map((id) => ({ id, params: { minutes: 600 } })));
      assert.equal(made.failed.length, 0);
      const root = ((await a.tree.getChildren()) as ConnectionNode[]).find((n) => n.kind === 'connection' && n.connection.id === conn.id);
      assert.ok(root);
      const sleeper = (await a.tree.getChildren(root)).filter(isKind('workflow')).find((w) => w.name === 'long-sleeper');
      assert.ok(sleeper);
      const nodes = await waitFor('the three instances listed as running', async () => {
        await a.tree.refresh(sleeper);
        const running = (await a.tree.getChildren(sleeper)).filter(isKind('group')).find((g) => g.status === 'running');
        const found = running ? (await a.tree.getChildren(running)).filter(isKind('instance')).filter((n: InstanceNode) => ids.includes(n.instance.id)) : [];
        return found.length === 3 ? found : undefined;
      });
      const before = (await gatewayLog(env('CFWF_GATEWAY_API'))).length;
      await answering(confirmWith('Terminate'), () => vscode.commands.executeCommand('cloudflareWorkflows.terminate', nodes[0], nodes));
      const afterTerminate = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(before);
      assert.equal(afterTerminate.filter((l) => l.method === 'POST' && l.path.endsWith('/long-sleeper/instances/batch/terminate')).length, 1, JSON.stringify(afterTerminate));
      assert.equal(afterTerminate.filter((l) => l.method === 'PATCH').length, 0, 'no per-instance status change');
      for (const id of ids) await waitFor(`${id} terminated`, async () => (await truth().getInstance('long-sleeper', id)).status === 'terminated');

      const mid = (await gatewayLog(env('CFWF_GATEWAY_API'))).length;
      await answering(confirmWith('Delete'), () => vscode.commands.executeCommand('cloudflareWorkflows.deleteInstance', nodes[0], nodes));
      const afterDelete = (await gatewayLog(env('CFWF_GATEWAY_API'))).slice(mid);
      assert.equal(afterDelete.filter((l) => l.method === 'POST' && l.path.endsWith('/long-sleeper/instances/batch/delete')).length, 1, JSON.stringify(afterDelete));
      assert.equal(afterDelete.filter((l) => l.method === 'DELETE').length, 0, 'no per-instance DELETE');
      const left = new Set((await truth().listInstances('long-sleeper', { perPage: 100 })).instances.map((i) => i.id));
      for (const id of ids) assert.ok(!left.has(id), `${id} was deleted`);
    } finally {
      await answering(confirmWith('Remove'), () => vscode.commands.executeCommand('cloudflareWorkflows.removeConnection', conn.id));
    }
  });
});
