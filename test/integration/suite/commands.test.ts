// Every command against the real engine, checked through an independent client afterwards.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isApiError } from '../../../src/api';
import type { InstanceDetails } from '../../../src/model/types';
import { api, commandErrorList, expectCommandError, instanceNode, localConnectionId, ref, statusOf, truth, waitFor, workflowNode } from '../helpers';
import { answering, confirmWith, modals } from '../prompts';

const C = (id: string) => `cloudflareWorkflows.${id}`;

async function lastError(after: number): Promise<string | undefined> {
  return (await commandErrorList()).slice(after).map((e) => e.message).join('\n') || undefined;
}

async function errorCount(): Promise<number> {
  return (await commandErrorList()).length;
}

async function allInstanceIds(workflow: string): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = await truth().listInstances(workflow, { perPage: 100, next });
    ids.push(...page.instances.map((i) => i.id));
    next = page.next;
  } while (next);
  return ids;
}

async function instanceCount(workflow: string): Promise<number> {
  const c = (await truth().getWorkflow(workflow)).instances;
  return Object.values(c).reduce((a, b) => a + (b ?? 0), 0);
}

describe('Commands against the engine', function () {
  let conn: string;
  // Folders made for the file dialogs' answers, removed at the end (each run used to leave its own).
  const scratch: string[] = [];
  const scratchDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };
  before(async () => {
    conn = await localConnectionId();
  });
  after(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  // Create Instance takes its id and params only from the user (an editor), so these drive the service it calls.
  it('creating an instance (the service behind Create Instance) uses the given id and params', async () => {
    const { id } = await (await api()).service.createInstance(conn, 'bulk-import', { id: 'cmd-create-1', params: { count: 2 } });
    assert.equal(id, 'cmd-create-1');
    const d = await waitFor('complete', async () => {
      const x = await truth().getInstance('bulk-import', 'cmd-create-1');
      return x.status === 'complete' && x;
    });
    assert.deepEqual(d.params, { count: 2 });
    assert.equal(d.steps.length, 2);
  });

  it('creating an instance rejects a bad id and oversize params, sending nothing', async () => {
    const a = await api();
    const before = await instanceCount('bulk-import');
    await assert.rejects(a.service.createInstance(conn, 'bulk-import', { id: '-bad id!' }), /Instance ID may contain only/);
    await assert.rejects(a.service.createInstance(conn, 'bulk-import', { params: { blob: 'x'.repeat(1024 * 1024 + 10) } }), /1 MiB/);
    assert.equal(await instanceCount('bulk-import'), before, 'the engine received no instance');
  });

  it('creating an instance reports an existing id as a conflict, not a retry', async () => {
    // The extension's own error class (its bundle, not this one's): compared by kind.
    await assert.rejects((await api()).service.createInstance(conn, 'bulk-import', { id: 'cmd-create-1' }), (e: { kind?: string; message?: string }) => e.kind === 'conflict' && /already exists/i.test(e.message ?? ''));
  });

  it('Create Instances from JSON File creates every item; a bad file creates none', async () => {
    const dir = scratchDir('cfwf-batch-');
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(Array.from({ length: 12 }, (_, i) => ({ id: `batch-${i}`, params: { count: 1 } }))));
    // The file is the user's pick in the open dialog, answered here.
    const { result, prompts } = await answering((p) => (p.kind === 'openDialog' ? good : undefined), () => vscode.commands.executeCommand<{ created: unknown[]; failed: unknown[] }>(C('createInstancesFromFile'), { connectionId: conn, workflow: 'bulk-import' }));
    assert.equal(prompts[0]?.kind, 'openDialog', 'the file was asked for');
    assert.equal(result.created.length, 12);
    assert.equal(result.failed.length, 0);
    for (let i = 0; i < 12; i++) assert.notEqual(await statusOf('bulk-import', `batch-${i}`), 'unknown');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'batch-ok-x' }, { id: 'bad id' }]));
    expectCommandError('createInstancesFromFile', /Nothing was created: Item 1/);
    const errs = await errorCount();
    const before = await instanceCount('bulk-import');
    await answering((p) => (p.kind === 'openDialog' ? bad : undefined), () => vscode.commands.executeCommand(C('createInstancesFromFile'), { connectionId: conn, workflow: 'bulk-import' }));
    assert.match((await lastError(errs)) ?? '', /Nothing was created: Item 1/);
    assert.equal(await instanceCount('bulk-import'), before);
  });

  it('Pause and Resume from the tree change the engine state and refresh the item', async () => {
    await truth().createInstance('long-sleeper', { id: 'cmd-pause', params: { minutes: 600 } });
    await waitFor('sleeping', async () => (await truth().getInstance('long-sleeper', 'cmd-pause')).steps.length >= 2);
    const node = await instanceNode('long-sleeper', 'running', 'cmd-pause');
    await vscode.commands.executeCommand(C('pause'), node);
    await waitFor('paused', async () => (await statusOf('long-sleeper', 'cmd-pause')) === 'paused');
    const w = await workflowNode('long-sleeper');
    assert.ok((w.counts?.paused ?? 0) >= 1, 'workflow counts refreshed after the action');
    await vscode.commands.executeCommand(C('resume'), ref(conn, 'long-sleeper', 'cmd-pause'));
    await waitFor('running', async () => (await statusOf('long-sleeper', 'cmd-pause')) === 'running');
  });

  it('Terminate asks in a modal dialog and, confirmed, ends the instance; a second terminate is refused clearly', async () => {
    const { prompts } = await answering(confirmWith('Terminate'), () => vscode.commands.executeCommand(C('terminate'), ref(conn, 'long-sleeper', 'cmd-pause')));
    assert.equal(modals(prompts).length, 1, 'one modal confirmation');
    await waitFor('terminated', async () => (await statusOf('long-sleeper', 'cmd-pause')) === 'terminated');
    // The client's own wording for the engine's "already finished" conflict, not any error at all.
    const refused = /the instance has already finished \(complete, errored or terminated\), so there is nothing to terminate/;
    expectCommandError('terminate', refused);
    const errs = await errorCount();
    await answering(confirmWith('Terminate'), () => vscode.commands.executeCommand(C('terminate'), ref(conn, 'long-sleeper', 'cmd-pause')));
    assert.match((await lastError(errs)) ?? '', refused);
    assert.equal(await statusOf('long-sleeper', 'cmd-pause'), 'terminated');
  });

  it('Restart runs a finished instance again, also from a chosen step (earlier steps keep their cached results)', async () => {
    const get = () => truth().getInstance('long-sleeper', 'cmd-pause');
    const step = (d: InstanceDetails, name: string) => d.steps.find((s) => s.name === name);
    const startOf = (d: InstanceDetails, name: string) => {
      const s = step(d, name);
      return s && 'start' in s && s.start ? Date.parse(s.start) : NaN;
    };
    const sleeping = (d: InstanceDetails) => d.status === 'running' && !!step(d, 'nap-1');
    // From the beginning: the first step runs again.
    const t0 = Date.now();
    // The restart picker's first item is "from the beginning"; then the modal confirmation.
    await answering((p) => (p.kind === 'quickPick' ? p.choices[0] : p.modal ? 'Restart' : undefined), () => vscode.commands.executeCommand(C('restart'), ref(conn, 'long-sleeper', 'cmd-pause')));
    const before = await waitFor('running again, asleep', async () => {
      const d = await get();
      return sleeping(d) && startOf(d, 'start work-1') >= t0 && d;
    });
    // From the sleep: "start work" keeps its result and start time, the sleep starts again.
    await new Promise((r) => setTimeout(r, 1100)); // start times have millisecond resolution; make "again" visible
    const t1 = Date.now();
    const { prompts } = await answering((p) => (p.kind === 'quickPick' ? p.choices.find((c) => c === 'nap-1') : p.modal ? 'Restart' : undefined), () => vscode.commands.executeCommand(C('restart'), ref(conn, 'long-sleeper', 'cmd-pause')));
    assert.ok(prompts.some((p) => p.kind === 'quickPick' && p.choices.includes('nap-1')), 'the picker offered the sleep');
    const after = await waitFor('the sleep started again', async () => {
      const d = await get();
      return sleeping(d) && startOf(d, 'nap-1') >= t1 && d;
    });
    assert.equal(startOf(after, 'start work-1'), startOf(before, 'start work-1'), '"start work" did not run again');
    const output = (d: InstanceDetails) => {
      const s = step(d, 'start work-1');
      return s && 'output' in s ? s.output : undefined;
    };
    assert.equal(output(after), 'started', 'its cached result is kept');
    assert.ok(startOf(after, 'nap-1') > startOf(before, 'nap-1'), 'the chosen step ran again');
    await truth().changeStatus('long-sleeper', 'cmd-pause', 'terminate');
  });

  it('Send Event delivers the event and the waiting instance completes', async () => {
    await truth().createInstance('approval-gate', { id: 'cmd-event' });
    await waitFor('waiting', async () => (await truth().getInstance('approval-gate', 'cmd-event')).steps.some((s) => s.type === 'waitForEvent'));
    // The type and the payload are typed by the user; an argument cannot supply them.
    await answering((p) => (p.kind === 'createQuickPick' ? 'decision' : p.kind === 'inputBox' ? '{ "approved": true }' : undefined), () => vscode.commands.executeCommand(C('sendEvent'), ref(conn, 'approval-gate', 'cmd-event'), { type: 'ignored', payload: { approved: false } }));
    const d = await waitFor('complete', async () => {
      const x = await truth().getInstance('approval-gate', 'cmd-event');
      return x.status === 'complete' && x;
    });
    assert.deepEqual(d.output, { approved: true });
  });

  it('Send Event rejects a bad type or payload and the instance keeps waiting', async () => {
    await truth().createInstance('approval-gate', { id: 'cmd-event-bad' });
    await waitFor('waiting', async () => (await truth().getInstance('approval-gate', 'cmd-event-bad')).steps.some((s) => s.type === 'waitForEvent'));
    expectCommandError('sendEvent', /Event type is 101 characters/);
    expectCommandError('sendEvent', /1 MiB/);
    const errs = await errorCount();
    await answering((p) => (p.kind === 'createQuickPick' ? 'x'.repeat(101) : p.kind === 'inputBox' ? '{}' : undefined), () => vscode.commands.executeCommand(C('sendEvent'), ref(conn, 'approval-gate', 'cmd-event-bad')));
    await answering((p) => (p.kind === 'createQuickPick' ? 'decision' : p.kind === 'inputBox' ? JSON.stringify({ big: 'y'.repeat(1024 * 1024) }) : undefined), () => vscode.commands.executeCommand(C('sendEvent'), ref(conn, 'approval-gate', 'cmd-event-bad')));
    const msgs = (await lastError(errs)) ?? '';
    assert.match(msgs, /Event type is 101 characters/);
    assert.match(msgs, /1 MiB/);
    await new Promise((r) => setTimeout(r, 500));
    const d = await truth().getInstance('approval-gate', 'cmd-event-bad');
    assert.equal(d.status, 'running');
    assert.ok(d.steps.some((s) => s.type === 'waitForEvent' && !s.end), 'still waiting: no event arrived');
  });

  it('acts on a multi-selection from the tree and reports per-item results', async () => {
    for (const id of ['bulk-a', 'bulk-b']) await truth().createInstance('long-sleeper', { id, params: { minutes: 600 } });
    await waitFor('both sleeping', async () => (await Promise.all(['bulk-a', 'bulk-b'].map((id) => truth().getInstance('long-sleeper', id)))).every((d) => d.steps.length >= 2));
    const a = instanceNode('long-sleeper', 'running', 'bulk-a');
    const b = instanceNode('long-sleeper', 'running', 'bulk-b');
    const [na, nb] = [await a, await b];
    // bulk-b ends behind the tree's back: its item still says running, so the command tries it and
    // the engine refuses; the summary must say which part worked.
    await truth().changeStatus('long-sleeper', 'bulk-b', 'terminate');
    await waitFor('bulk-b terminated', async () => (await statusOf('long-sleeper', 'bulk-b')) === 'terminated');
    // VS Code passes (clicked item, all selected items) for a multi-selection.
    const { prompts } = await answering(confirmWith('Terminate'), () => vscode.commands.executeCommand(C('terminate'), na, [na, nb]));
    await waitFor('bulk-a terminated', async () => (await statusOf('long-sleeper', 'bulk-a')) === 'terminated');
    const summaries = prompts.filter((p) => !p.modal && /^Terminate: /.test(p.message)).map((p) => p.message);
    assert.equal(summaries.length, 1, JSON.stringify(prompts));
    assert.match(summaries[0], /^Terminate: 1 succeeded, 1 failed\.\nbulk-b: .*already finished/);
    assert.ok(!/bulk-a/.test(summaries[0]), 'only the failed item is listed');
  });

  it('Delete Instance removes it from the engine', async () => {
    assert.notEqual(await statusOf('bulk-import', 'batch-11'), undefined, 'it exists before');
    const { prompts } = await answering(confirmWith('Delete'), () => vscode.commands.executeCommand(C('deleteInstance'), ref(conn, 'bulk-import', 'batch-11')));
    assert.equal(modals(prompts).length, 1, 'asked once, in a modal dialog');
    // Only the engine saying "not found" counts as deleted; a network or server error does not.
    await waitFor('deleted', async () => {
      try {
        await truth().getInstance('bulk-import', 'batch-11');
        return false;
      } catch (e) {
        if (isApiError(e, 'notFound')) return true;
        throw e;
      }
    });
    assert.ok(!(await allInstanceIds('bulk-import')).includes('batch-11'), 'gone from the listing too');
    assert.ok((await allInstanceIds('bulk-import')).includes('batch-10'), 'its neighbour is still there');
  });

  it('Copy ID, Copy as JSON, Export and Open as JSON show the instance', async () => {
    await vscode.commands.executeCommand(C('copyInstanceId'), ref(conn, 'order-pipeline', 'order-complete'));
    assert.equal(await vscode.env.clipboard.readText(), 'order-complete');
    await vscode.commands.executeCommand(C('copyInstanceJson'), ref(conn, 'order-pipeline', 'order-complete'));
    const copied = JSON.parse(await vscode.env.clipboard.readText());
    assert.equal(copied.id, 'order-complete');
    assert.equal(copied.status, 'complete');
    assert.ok(copied.steps.some((s: { name: string }) => s.name === 'reserve stock-1'));
    const target = vscode.Uri.file(join(scratchDir('cfwf-export-'), 'out.json'));
    // The destination is the user's pick in the save dialog, answered here.
    await answering((p) => (p.kind === 'saveDialog' ? target.fsPath : undefined), () => vscode.commands.executeCommand(C('exportInstance'), ref(conn, 'order-pipeline', 'order-complete')));
    assert.equal(JSON.parse(readFileSync(target.fsPath, 'utf8')).id, 'order-complete');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>(C('openInstanceJson'), ref(conn, 'order-pipeline', 'order-complete'));
    assert.equal(editor.document.uri.scheme, 'cfwf-instance');
    assert.equal(editor.document.languageId, 'json');
    assert.match(editor.document.getText(), /"reserve stock-1"/);
  });

  it('Compare opens a diff of two instances', async () => {
    await vscode.commands.executeCommand(C('compareInstances'), ref(conn, 'order-pipeline', 'order-complete'), undefined, ref(conn, 'order-pipeline', 'order-waiting'));
    await waitFor('diff editor', async () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)));
  });

  it('Rerun with Same Params creates a new instance with the same params', async () => {
    const id = await vscode.commands.executeCommand<string>(C('rerunWithSameParams'), ref(conn, 'bulk-import', 'cmd-create-1'), { noOpen: true });
    assert.ok(id && id !== 'cmd-create-1');
    assert.deepEqual((await truth().getInstance('bulk-import', id)).params, { count: 2 });
  });

  it('Watch Instance notifies when it completes, and the watch is kept in globalState until then', async () => {
    const a = await api();
    await truth().createInstance('approval-gate', { id: 'cmd-watch' });
    await waitFor('waiting', async () => (await truth().getInstance('approval-gate', 'cmd-watch')).steps.some((s) => s.type === 'waitForEvent'));
    await vscode.commands.executeCommand(C('watchInstance'), ref(conn, 'approval-gate', 'cmd-watch'));
    // Read globalState itself (what a reloaded window starts from), not the manager's view of it.
    const stored = () => (a.globalState.get<{ kind: string; workflow: string; id?: string }[]>('cloudflareWorkflows.watches') ?? []).filter((w) => w.kind === 'instance' && w.workflow === 'approval-gate' && w.id === 'cmd-watch');
    assert.equal(stored().length, 1, 'the watch is stored in globalState');
    await a.watches.check();
    await truth().sendEvent('approval-gate', 'cmd-watch', 'decision', { approved: false });
    await waitFor('complete', async () => (await statusOf('approval-gate', 'cmd-watch')) === 'complete');
    await a.watches.check();
    assert.ok(a.watches.notified.some((n) => n.includes('cmd-watch completed')), a.watches.notified.join('; '));
    assert.ok(!a.watches.list().some((w) => w.id === 'cmd-watch'), 'a finished watch ends');
    assert.equal(stored().length, 0, 'and is removed from globalState');
  });

  it('Diagnose Connection reports reachability, read and write access', async () => {
    const report = await vscode.commands.executeCommand<string>(C('diagnoseConnection'), conn, 'quiet');
    assert.match(report, /\| Reachable \| ok \|/);
    assert.match(report, /\| Read Workflows \| ok \|/);
    assert.match(report, /\| Write permission \| ok \|/);
  });

  it('Go to Instance opens the instance by id; an unknown id is reported and opens nothing', async () => {
    const a = await api();
    const target = { connectionId: conn, connectionLabel: '', workflow: 'order-pipeline', id: 'order-complete' };
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(C('goToInstance'), await workflowNode('order-pipeline'), 'order-complete');
    const shown = await waitFor('the instance view of order-complete', async () => {
      const m = a.panels.manager.lastPosted(target);
      return m?.type === 'instance' && m;
    });
    assert.equal(shown.type === 'instance' && shown.details.id, 'order-complete');
    expectCommandError('goToInstance', /no-such-instance/);
    const open = a.panels.manager.panels().length;
    await vscode.commands.executeCommand(C('goToInstance'), await workflowNode('order-pipeline'), 'no-such-instance');
    assert.equal(a.panels.manager.panels().length, open, 'no panel for an instance that does not exist');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('filters and search narrow the tree', async () => {
    const a = await api();
    const w = await workflowNode('long-sleeper');
    await vscode.commands.executeCommand(C('filterWorkflow'), w, { statuses: ['paused'] });
    const groups = (await a.tree.getChildren(w)).filter((n) => n.kind === 'group');
    assert.deepEqual(groups.map((g) => (g.kind === 'group' ? g.status : '')), ['paused']);
    assert.match(String(a.tree.getTreeItem(w).description), /filter: paused/);
    await vscode.commands.executeCommand(C('clearFilter'), w);
    assert.ok((await a.tree.getChildren(w)).filter((n) => n.kind === 'group').length > 1);
    await vscode.commands.executeCommand(C('searchWorkflows'), undefined, 'approval');
    const root = w.parent;
    const names = (await a.tree.getChildren(root)).filter((n) => n.kind === 'workflow').map((n) => (n.kind === 'workflow' ? n.name : ''));
    assert.deepEqual(names, ['approval-gate']);
    await vscode.commands.executeCommand(C('searchWorkflows'), undefined, '');
  });
});
