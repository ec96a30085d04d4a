// Code and runtime side by side: lenses over the fixture's step calls match the engine's runs,
// clicking opens the right instance and step, and new runs change the figures.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { splitStepName } from '../../../src/model/status';
import { api, localConnectionId, truth, waitFor } from '../helpers';

async function runsOf(workflow: string, base: string): Promise<number> {
  const page = await truth().listInstances(workflow, { perPage: 20 });
  let n = 0;
  for (const i of page.instances) {
    // The local list can name an instance whose state is unreadable (a hex id, no status): skip it.
    const d = await truth().getInstance(workflow, i.id).catch(() => undefined);
    if (!d) continue;
    n += d.steps.filter((s) => s.name && splitStepName(s.name).base === base).length;
  }
  return n;
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 200)) ?? [];
}

describe('CodeLens and hovers on step calls', () => {
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;
  before(async () => {
    await localConnectionId();
    [uri] = await vscode.workspace.findFiles('src/index.ts');
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    (await api()).insights.invalidate();
  });

  function lineOf(text: string): number {
    return doc.getText().split('\n').findIndex((l) => l.includes(text));
  }

  it('shows run statistics over each recognised step call, matching the engine', async () => {
    const all = await lenses(uri);
    const reserveLine = lineOf("'reserve stock',") - 1; // the call starts on the line before its name
    const reserve = all.find((l) => l.range.start.line === reserveLine && l.command?.title.includes('run'));
    assert.ok(reserve, `a lens on line ${reserveLine}: ${all.map((l) => `${l.range.start.line}:${l.command?.title}`).join(' | ')}`);
    const expected = await runsOf('order-pipeline', 'reserve stock');
    assert.match(reserve.command?.title ?? '', new RegExp(`^${expected} runs? · 100% ok`));
    assert.match(reserve.command?.title ?? '', /retr/, 'retries are counted');
    const charge = all.find((l) => l.range.start.line === lineOf("'charge card',") - 1 && l.command?.title.includes('run'));
    assert.match(charge?.command?.title ?? '', /0% ok.*last error: Error: card declined/);
    const classLens = all.find((l) => l.range.start.line === lineOf('export class OrderPipeline') && l.command?.title.includes('order-pipeline:'));
    assert.match(classLens?.command?.title ?? '', /complete/);
    assert.ok(all.some((l) => l.command?.title === 'Create Instance…'));
  });

  it('opens the most recent instance of a step when its lens is clicked', async () => {
    const a = await api();
    const all = await lenses(uri);
    const nap = all.find((l) => l.range.start.line === lineOf("step.sleep('nap'") && l.command?.command === 'cloudflareWorkflows.openInstance');
    assert.ok(nap?.command, all.map((l) => `${l.range.start.line}:${l.command?.title}`).join(' | '));
    const [target, opts] = nap.command.arguments as [{ id: string }, { selectStep: string }];
    assert.equal(opts.selectStep, 'nap-1');
    await vscode.commands.executeCommand(nap.command.command, ...(nap.command.arguments ?? []));
    await waitFor('panel', async () => a.panels.manager.panels().some((p) => p.id === target.id));
  });

  it('updates after new runs and a refresh', async () => {
    const title = async () => (await lenses(uri)).find((l) => l.range.start.line === lineOf("'request approval'") && l.command?.title.includes('run'))?.command?.title ?? '';
    const runs = (t: string) => Number(/^(\d+) run/.exec(t)?.[1]);
    const first = await title();
    const before = runs(first);
    assert.ok(before > 0, first);
    assert.equal(before, await runsOf('approval-gate', 'request approval'));
    await truth().createInstance('approval-gate', { id: 'lens-new-run' });
    await waitFor('step ran', async () => (await truth().getInstance('approval-gate', 'lens-new-run')).steps.length > 0);
    await vscode.commands.executeCommand('cloudflareWorkflows.refreshStepStatistics');
    assert.equal(runs(await title()), before + 1);
    await truth().changeStatus('approval-gate', 'lens-new-run', 'terminate');
  });

  it('never guesses a name that is not a literal', async () => {
    const line = lineOf('sum += await step.do(`import row ${i}`');
    assert.ok(line > 0);
    assert.ok(!(await lenses(uri)).some((l) => l.range.start.line === line));
  });

  it('reveals the class of a workflow from the tree', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('cloudflareWorkflows.revealWorkflowClass', { connectionId: await localConnectionId(), workflow: 'approval-gate' });
    assert.equal(editor.document.uri.toString(), uri.toString());
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /class ApprovalGate extends WorkflowEntrypoint/);
  });

  it('hovers on a step name with its last runs and links to open them', async () => {
    const line = lineOf("'render invoice'");
    const col = doc.lineAt(line).text.indexOf('render invoice') + 2;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, col));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /render invoice/);
    assert.match(text, /command:cloudflareWorkflows\.openInstance/);
    assert.match(text, /order/);
  });
});
