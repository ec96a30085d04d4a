// The tree against the engine's truth: groups and counts, instances per group, paging, menus.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { allowedActions, canSendEvent } from '../../../src/model/status';
import { INSTANCE_STATUSES, type InstanceStatus } from '../../../src/model/types';
import { instanceContext } from '../../../src/tree/contextValues';
import type { GroupNode, TreeNode } from '../../../src/tree/nodes';
import { evaluateWhen } from '../../support/whenClause';
import { api, EXTENSION_ID, groupNode, isKind, localConnectionId, rootNode, truth, workflowNode } from '../helpers';

async function allIds(workflow: string, status: (typeof INSTANCE_STATUSES)[number]): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = await truth().listInstances(workflow, { status, perPage: 100, next });
    ids.push(...page.instances.map((i) => i.id));
    next = page.next;
  } while (next);
  return ids;
}

describe('Workflows tree', () => {
  it('finds the local session on its loopback port without configuration', async () => {
    const a = await api();
    const id = await localConnectionId();
    const conn = a.registry.get(id);
    assert.equal(conn?.kind, 'local');
    assert.equal(conn?.kind === 'local' && conn.source, 'discovered');
  });

  it('lists the same workflows as the engine, with counts in the description', async () => {
    const a = await api();
    const root = await rootNode();
    await a.tree.refresh(root);
    const kids = (await a.tree.getChildren(root)).filter(isKind('workflow'));
    const expected = (await truth().listWorkflows()).map((w) => w.name).sort();
    assert.deepEqual(kids.map((k) => k.name).sort(), expected);
    const order = kids.find((k) => k.name === 'order-pipeline');
    assert.ok(order);
    const item = a.tree.getTreeItem(order);
    assert.match(String(item.description), /running/);
    assert.match(String(item.description), /complete/);
  });

  it('shows exactly the non-empty status groups, each with the engine count and its instances', async () => {
    const a = await api();
    for (const wf of await truth().listWorkflows()) {
      const w = await workflowNode(wf.name);
      await a.tree.refresh(w);
      const counts = (await truth().getWorkflow(wf.name)).instances;
      const groups = (await a.tree.getChildren(w)).filter(isKind('group'));
      const expected = INSTANCE_STATUSES.filter((s) => (counts[s] ?? 0) > 0);
      assert.deepEqual(groups.map((g) => g.status), expected, `${wf.name} groups`);
      for (const g of groups) {
        assert.equal(g.count, counts[g.status], `${wf.name}/${g.status} count`);
        const item = a.tree.getTreeItem(g);
        assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.color, 'status group has a coloured ThemeIcon');
        const shown = (await a.tree.getChildren(g)).filter(isKind('instance')).map((i) => i.instance.id);
        assert.deepEqual(shown.sort(), (await allIds(wf.name, g.status)).sort(), `${wf.name}/${g.status} instances`);
      }
    }
  });

  it('pages with "Load more…" and reaches every instance exactly once', async () => {
    const a = await api();
    const b = truth();
    const ids = Array.from({ length: 7 }, (_, i) => `page-test-${i}`);
    for (const id of ids) await b.createInstance('bulk-import', { id, params: { count: 1 } });
    const cfg = vscode.workspace.getConfiguration('cloudflareWorkflows');
    await cfg.update('pageSize', 3, vscode.ConfigurationTarget.Global);
    try {
      const expected = await allIds('bulk-import', 'complete').then(async (done) => {
        // wait until all seven completed so the group is stable
        for (let i = 0; i < 40 && ids.some((id) => !done.includes(id)); i++) {
          await new Promise((r) => setTimeout(r, 250));
          done = await allIds('bulk-import', 'complete');
        }
        return done;
      });
      const g = (await groupNode('bulk-import', 'complete')) as GroupNode;
      let kids = await a.tree.getChildren(g);
      let requestsGuard = 0;
      while (kids.some(isKind('loadMore')) && requestsGuard++ < 20) {
        const more = kids.find(isKind('loadMore'));
        await vscode.commands.executeCommand('cloudflareWorkflows.loadMore', more);
        kids = await a.tree.getChildren(g);
      }
      const shown = kids.filter(isKind('instance')).map((i) => i.instance.id);
      assert.equal(new Set(shown).size, shown.length, 'no instance twice');
      assert.deepEqual([...shown].sort(), [...expected].sort(), 'every instance once');
      assert.ok(requestsGuard >= 2, 'it took several pages');
    } finally {
      await cfg.update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('offers exactly the actions each status allows, and none on read-only connections', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const menus: { command: string; when: string }[] = pkg.contributes.menus['view/item/context'];
    const offered = (contextValue: string) =>
      new Set(menus.filter((m) => evaluateWhen(m.when, { view: 'cloudflareWorkflows.tree', viewItem: contextValue })).map((m) => m.command.replace('cloudflareWorkflows.', '')));
    const statuses: InstanceStatus[] = [...INSTANCE_STATUSES, 'unknown'];
    for (const s of statuses) {
      const got = offered(instanceContext(s, 'rw', 'local', true));
      for (const action of ['pause', 'resume', 'terminate', 'restart'] as const) {
        assert.equal(got.has(action), allowedActions(s).includes(action), `${action} on ${s}`);
      }
      assert.equal(got.has('sendEvent'), canSendEvent(s), `sendEvent on ${s}`);
      assert.ok(got.has('deleteInstance'), `delete on ${s}`);
      assert.ok(!got.has('openInDashboard'), 'no dashboard for local');
      const ro = offered(instanceContext(s, 'ro', 'cloud', true));
      for (const write of ['pause', 'resume', 'terminate', 'restart', 'sendEvent', 'deleteInstance', 'rerunWithSameParams']) assert.ok(!ro.has(write), `${write} hidden when read-only (${s})`);
      assert.ok(ro.has('openInDashboard') && ro.has('copyInstanceId'), 'read actions stay');
    }
  });

  it('instance items carry id, times, a tooltip and an open command', async () => {
    const a = await api();
    const g = await groupNode('long-sleeper', 'paused');
    assert.ok(g);
    const [inst] = (await a.tree.getChildren(g)).filter(isKind('instance'));
    const item = a.tree.getTreeItem(inst);
    assert.equal(item.label, 'sleeper-paused');
    assert.match(String(item.description), /ago|just now/);
    assert.equal(item.command?.command, 'cloudflareWorkflows.previewInstance', 'a click previews the instance');
    assert.match(String(item.contextValue), /^cfwfInstance:paused:rw:local/);
  });

  it('fills an instance tooltip on hover with its times and params (one request, on demand)', async () => {
    const a = await api();
    const g = await groupNode('flaky-payments', 'errored');
    assert.ok(g);
    const [inst] = (await a.tree.getChildren(g)).filter(isKind('instance'));
    a.registry.details.clear();
    const item = a.tree.getTreeItem(inst);
    assert.equal(item.tooltip, undefined, 'nothing fetched while listing');
    const resolved = await a.tree.resolveTreeItem(item, inst, new vscode.CancellationTokenSource().token);
    const text = (resolved.tooltip as vscode.MarkdownString).value;
    assert.match(text, /payment\\-errored/, 'the id, escaped for Markdown');
    assert.match(text, /"amount":99/);
    assert.match(text, /card declined/);
  });

  it('auto-refresh polls only expanded nodes and flags new arrivals instead of reshuffling', async () => {
    const a = await api();
    const w = await workflowNode('approval-gate');
    const g = (await groupNode('approval-gate', 'running')) as GroupNode;
    await a.tree.getChildren(g);
    // Loaded but collapsed: another workflow's group and a sibling group. Polling must skip them.
    const other = await groupNode('order-pipeline', 'complete');
    assert.ok(other, 'order-pipeline has a complete group');
    await a.tree.getChildren(other);
    const sibling = await groupNode('approval-gate', 'complete', false);
    if (sibling) await a.tree.getChildren(sibling);
    const before = (g.instances ?? []).map((i) => i.instance.id);
    a.tree.expanded.clear();
    a.tree.expanded.add(w.parent.id);
    a.tree.expanded.add(w.id);
    a.tree.expanded.add(g.id);
    await truth().createInstance('approval-gate', { id: 'arrival-1' });
    // Record what the poll asks the real backend for (the calls still go to the engine).
    const backend = await a.registry.backend(w.parent.connection.id);
    const asked: string[] = [];
    const { getWorkflow, listInstances } = backend;
    backend.getWorkflow = (name, ...rest) => (asked.push(`counts ${name}`), getWorkflow.call(backend, name, ...rest));
    backend.listInstances = (name, opts, ...rest) => (asked.push(`list ${name}/${opts?.status ?? '*'}`), listInstances.call(backend, name, opts, ...rest));
    try {
      await new Promise((r) => setTimeout(r, 500));
      // A new running instance changes the counts: the workflow node is refreshed.
      let changed: boolean;
      try {
        changed = await a.tree.poll();
      } finally {
        backend.getWorkflow = getWorkflow;
        backend.listInstances = listInstances;
      }
      assert.equal(changed, true);
      assert.deepEqual([...new Set(asked)].sort(), ['counts approval-gate', 'list approval-gate/running'], 'only the expanded workflow and group are polled');
      const g2 = (await a.tree.getChildren(w)).find((n: TreeNode): n is GroupNode => n.kind === 'group' && n.status === 'running');
      assert.ok(g2);
      assert.equal(g2, g, 'the group node keeps its identity (no collapse)');
      const kids = await a.tree.getChildren(g2);
      const shown = kids.filter(isKind('instance')).map((i) => i.instance.id);
      assert.deepEqual(shown, before, 'what the user looks at is not reshuffled');
      assert.equal(g2.newCount, 1, 'the new arrival is counted');
      assert.ok(kids.some(isKind('newArrivals')), 'a "1 new instance — show" item appears');
      await vscode.commands.executeCommand('cloudflareWorkflows.showNewInstances', g2);
      const after = (await a.tree.getChildren(g2)).filter(isKind('instance')).map((i) => i.instance.id);
      assert.ok(after.includes('arrival-1'), 'shown on request');
    } finally {
      a.tree.expanded.clear();
      await truth().changeStatus('approval-gate', 'arrival-1', 'terminate');
    }
  });

  it('shows a status bar item with the running and errored counts of the engine', async () => {
    const a = await api();
    const root = await rootNode();
    await a.tree.refresh(root);
    await a.tree.getChildren(root);
    let running = 0;
    let errored = 0;
    for (const w of await truth().listWorkflows()) {
      const c = (await truth().getWorkflow(w.name)).instances;
      running += c.running + c.waiting;
      errored += c.errored;
    }
    a.statusBar.update();
    assert.equal(a.statusBar.text, `$(type-hierarchy-sub) ${running} $(error) ${errored}`);
  });
});
