// Runs inside the real extension host for `npm run bench`: tree expansion cost against the bare
// HTTP floor, activation time, and the requests auto-refresh makes on a cloud connection while the
// view is visible and while it is hidden. Writes its figures as JSON to CFWF_BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { Pool } from 'undici';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { ConnectionNode, GroupNode, WorkflowNode } from '../../src/tree/nodes';

const EXT = 'cfwf-community.cloudflare-workflows';
const env = (k: string) => process.env[k] ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function floorExpand(pool: Pool, apiPath: string, workflow: string): Promise<number> {
  const t = performance.now();
  for (const path of [`${apiPath}/workflows/${workflow}`, `${apiPath}/workflows/${workflow}/instances?status=complete&per_page=50`]) {
    const r = await pool.request({ method: 'GET', path });
    await r.body.json();
  }
  return performance.now() - t;
}

export async function run(): Promise<void> {
  const api = (await vscode.extensions.getExtension<ExtensionApi>(EXT)?.activate()) as ExtensionApi;
  const out: Record<string, unknown> = { activationMs: api.activationMs };
  await vscode.commands.executeCommand('cloudflareWorkflows.tree.focus');
  await api.registry.refreshLocal();
  const local = api.registry.connections().find((c) => c.kind === 'local');
  if (!local || local.kind !== 'local') throw new Error('no local connection');
  const backend = await api.registry.backend(local.id);
  const apiPath = new URL(env('CFWF_ENGINE_API')).pathname;
  const pool = new Pool(local.baseUrl, { connections: 6 });

  // Tree: expand the 10,000-instance workflow and its one status group; interleaved with the floor.
  const roots = (await api.tree.getChildren()) as ConnectionNode[];
  const root = roots.find((r) => r.connection.id === local.id) as ConnectionNode;
  const workflow = (await api.tree.getChildren(root)).find((n): n is WorkflowNode => n.kind === 'workflow' && n.name === 'bulk-import') as WorkflowNode;
  const ours: number[] = [];
  const floor: number[] = [];
  const requests: number[] = [];
  let shown = 0;
  for (let round = 0; round < 5; round++) {
    const order = round % 2 ? ['floor', 'ours'] : ['ours', 'floor'];
    for (const who of order) {
      if (who === 'floor') floor.push(await floorExpand(pool, apiPath, 'bulk-import'));
      else {
        await api.tree.refresh(workflow);
        const before = backend.stats?.().requests ?? 0;
        const t = performance.now();
        const groups = await api.tree.getChildren(workflow);
        const group = groups.find((g): g is GroupNode => g.kind === 'group' && g.status === 'complete') as GroupNode;
        shown = (await api.tree.getChildren(group)).length;
        ours.push(performance.now() - t);
        requests.push((backend.stats?.().requests ?? 0) - before);
      }
    }
  }
  out.tree = { ours, floor, requests, itemsShown: shown, instances: workflow.counts?.complete };
  await pool.close();

  // API budget on a cloud connection with 3 workflows expanded and auto-refresh on its default.
  // The base URL comes from the user's setting and the token from the prompt (answered through the test hook).
  await vscode.workspace.getConfiguration('cloudflareWorkflows').update('apiBaseUrl', env('CFWF_GATEWAY_API'), vscode.ConfigurationTarget.Global);
  api.prompts.answer = (p) => (p.kind === 'inputBox' ? env('CFWF_GATEWAY_WRITE_TOKEN') : undefined);
  const [cloud] = await Promise.resolve(vscode.commands.executeCommand<{ id: string }[]>('cloudflareWorkflows.addAccount')).finally(() => (api.prompts.answer = undefined));
  await vscode.workspace.getConfiguration('cloudflareWorkflows').update('autoRefreshSeconds', undefined, vscode.ConfigurationTarget.Workspace);
  const cloudBackend = await api.registry.backend(cloud.id);
  const cloudRoot = ((await api.tree.getChildren()) as ConnectionNode[]).find((r) => r.connection.id === cloud.id) as ConnectionNode;
  api.tree.expanded.add(cloudRoot.id);
  const wfs = (await api.tree.getChildren(cloudRoot)).filter((n): n is WorkflowNode => n.kind === 'workflow').slice(0, 3);
  for (const w of wfs) {
    api.tree.expanded.add(w.id);
    for (const g of (await api.tree.getChildren(w)).filter((n): n is GroupNode => n.kind === 'group')) {
      api.tree.expanded.add(g.id);
      await api.tree.getChildren(g);
    }
  }
  await vscode.commands.executeCommand('cloudflareWorkflows.tree.focus');
  const focused = vscode.window.state.focused;
  const v0 = cloudBackend.stats?.().requests ?? 0;
  const ticks0 = api.refresher.ticks;
  await sleep(60_000);
  const visible = (cloudBackend.stats?.().requests ?? 0) - v0;
  const ticks = api.refresher.ticks - ticks0;
  await vscode.commands.executeCommand('workbench.view.explorer');
  await sleep(2_000);
  const h0 = cloudBackend.stats?.().requests ?? 0;
  await sleep(20_000);
  const hidden = (cloudBackend.stats?.().requests ?? 0) - h0;
  out.budget = { windowFocused: focused, visibleRequestsPerMinute: visible, refreshTicks: ticks, hiddenRequestsIn20s: hidden, workflowsExpanded: wfs.length };
  writeFileSync(env('CFWF_BENCH_OUT'), JSON.stringify(out));
}
