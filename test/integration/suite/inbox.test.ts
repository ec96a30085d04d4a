// "Waiting for events" against the real engine: instances blocked in waitForEvent (which the local
// engine reports as `running`) are found from their steps with a bounded number of detail requests,
// grouped by the type read from the workspace source, and "Send Event to All…" reaches each of them
// once (they move on), while sending the same event again goes only to instances that did not get it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { formatDuration } from '../../../src/model/format';
import type { EventTypeNode, InboxNode, WaitingInstanceNode } from '../../../src/tree/nodes';
import { api, expectCommandError, isKind, localConnectionId, rootNode, truth, waitFor, workflowNode } from '../helpers';
import { answering, modals, type Prompt } from '../prompts';

const WF = 'approval-gate';
const PAYLOAD = '{"approved": true, "by": "inbox test"}';

/** The ids the engine has waiting in an open waitForEvent (the truth the tree is compared with). */
async function waitingInEngine(): Promise<string[]> {
  const ids: string[] = [];
  for (const i of (await truth().listInstances(WF, { status: 'running', perPage: 100 })).instances) {
    const d = await truth().getInstance(WF, i.id);
    if (d.steps.some((s) => s.type === 'waitForEvent' && !s.end && !('finished' in s && s.finished))) ids.push(i.id);
  }
  return ids.sort();
}

async function startWaiting(ids: string[]): Promise<void> {
  const made = await truth().createInstances(WF, ids.map((id) => ({ id, params: { requester: id } })));
  assert.equal(made.failed.length, 0, JSON.stringify(made.failed));
  for (const id of ids) await waitFor(`${id} waits for its event`, async () => (await truth().getInstance(WF, id)).steps.some((s) => s.type === 'waitForEvent' && !s.end));
}

type Stats = { requests: number; retries: number; inFlight: number } | undefined;

/**
 * Waits until the backend has been idle for a moment: a refresh makes the workbench re-read the
 * expanded parts of the tree (counts, group pages) on its own schedule, and those requests must not
 * land in a window that counts the inbox's alone.
 */
async function quiet(stats: () => Stats): Promise<void> {
  let last = -1;
  let since = Date.now();
  for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const s = stats();
    if (!s) return;
    if (s.requests !== last || s.inFlight > 0) {
      last = s.requests;
      since = Date.now();
    } else if (Date.now() - since >= 750) return;
  }
  throw new Error('the backend never went quiet for 750 ms');
}

/** Starts instances waiting for "decision" and returns their nodes once the workflow's inbox lists them all. */
async function waitingInDecisionGroup(ids: string[]): Promise<WaitingInstanceNode[]> {
  const a = await api();
  await startWaiting(ids);
  const w = await workflowNode(WF);
  await a.tree.refresh(w);
  const inbox = (await a.tree.getChildren(w)).find(isKind('inbox')) as InboxNode;
  return waitFor(`${ids.join(', ')} in the "decision" group`, async () => {
    await a.tree.refresh(inbox);
    const g = (await a.tree.getChildren(inbox)).filter(isKind('eventType')).find((t) => t.type === 'decision');
    const found = g?.instances.filter((i) => ids.includes(i.entry.id)) ?? [];
    return found.length === ids.length ? found : undefined;
  });
}

/** Answers the preview with its "Send to N" button and types the payload; records every prompt. */
const sendAnswers = (type?: string) => (p: Prompt) => {
  if (p.modal) return p.choices.find((c) => c.startsWith('Send to'));
  if (p.kind === 'inputBox') return PAYLOAD;
  if (p.kind === 'createQuickPick' && type) return type;
  return undefined;
};

describe('Waiting for events (inbox)', function () {
  this.timeout(180_000);
  const stamp = Date.now();
  const ids = [0, 1, 2].map((i) => `inbox-${stamp}-${i}`);

  it('groups the waiting instances by the type from the source, with counts, wait times and the timeout, in bounded detail requests', async () => {
    const a = await api();
    const conn = await localConnectionId();
    // Open instance views poll through the same backend: closed, so that the request count is the tree's alone.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await startWaiting(ids);
    const w = await workflowNode(WF);
    await a.tree.refresh(w);
    const inbox = (await a.tree.getChildren(w)).find(isKind('inbox'));
    assert.ok(inbox, 'the workflow shows "Waiting for events"');
    assert.equal(a.tree.getTreeItem(inbox).label, 'Waiting for events');

    const backend = await a.registry.backend(conn);
    const max = a.tree.inbox.limits.maxFetches;
    // Each scan: one list call and at most `max` detail calls, until every running instance was checked.
    const stats = () => backend.stats?.();
    for (let scan = 0; scan < 20; scan++) {
      await quiet(stats);
      const details0 = a.tree.inbox.detailRequests;
      const before = stats();
      await a.tree.refresh(inbox);
      await a.tree.getChildren(inbox);
      await quiet(stats);
      const after = stats();
      const details = a.tree.inbox.detailRequests - details0;
      // A retried read is one call that reached the wire twice (counted in `retries` too).
      const requests = (after?.requests ?? 0) - (before?.requests ?? 0) - ((after?.retries ?? 0) - (before?.retries ?? 0));
      assert.ok(details <= max, `scan ${scan}: ${details} detail requests (bound ${max})`);
      assert.equal(requests, 1 + details, `scan ${scan}: one list request plus the counted detail requests (the workbench asked for the same children too: one scan serves both)`);
      if (!inbox.unchecked) break;
    }
    assert.equal(inbox.unchecked, 0, 'every running instance was checked');

    // Cached: scanning again right away sends one list request and no detail request.
    await quiet(stats);
    const details0 = a.tree.inbox.detailRequests;
    const requests0 = stats()?.requests ?? 0;
    await a.tree.refresh(inbox);
    const kids = await a.tree.getChildren(inbox);
    await quiet(stats);
    assert.equal(a.tree.inbox.detailRequests - details0, 0, 'no detail request while the cache is fresh');
    assert.equal((stats()?.requests ?? 0) - requests0, 1, 'one list request');

    const types = kids.filter((k): k is EventTypeNode => (k as EventTypeNode).kind === 'eventType');
    const decision = types.find((t) => t.type === 'decision');
    assert.ok(decision, `a "decision" group (types: ${JSON.stringify(types.map((t) => t.type))})`);
    const shown = decision.instances.map((i) => i.entry.id).sort();
    assert.deepEqual(shown, await waitingInEngine(), 'the group holds exactly the instances the engine has waiting');
    for (const id of ids) assert.ok(shown.includes(id), `${id} is in the group`);
    assert.equal(decision.instances[0].entry.typeSource, 'source', 'the local engine does not report the type: it came from the workspace source');
    const typeItem = a.tree.getTreeItem(decision);
    assert.match(String(typeItem.description), new RegExp(`^${shown.length} · oldest `));
    assert.match(String(typeItem.contextValue), /^cfwfEventType:known:rw/);
    const mine = decision.instances.find((i) => i.entry.id === ids[0]) as WaitingInstanceNode;
    const item = a.tree.getTreeItem(mine);
    // ApprovalGate's waitForEvent has no timeout: the documented 24-hour default.
    assert.match(String(item.description), /^waiting .+ · times out in .+/);
    assert.ok(String(item.tooltip).includes(`Timeout: ${formatDuration(24 * 3600_000)}`), `the 24-hour default in the tooltip: ${String(item.tooltip)}`);
    assert.match(String(item.contextValue), /^cfwfInstance:running:rw:local\+del:inbox$/);

    // The connection's inbox covers every workflow.
    const root = await rootNode();
    const connInbox = (await a.tree.getChildren(root)).find(isKind('inbox')) as InboxNode;
    assert.ok(connInbox, 'the connection shows "Waiting for events"');
    const connTypes = (await a.tree.getChildren(connInbox)).filter(isKind('eventType'));
    const all = connTypes.flatMap((t) => t.instances.map((i) => i.entry.id));
    for (const id of ids) assert.ok(all.includes(id), `${id} is in the connection's inbox`);
  });

  it('Send Event to All on the type group: a preview with the count, each instance gets the event once and moves on; again: nothing is sent twice', async () => {
    const a = await api();
    const w = await workflowNode(WF);
    await a.tree.refresh(w);
    const inbox = (await a.tree.getChildren(w)).find(isKind('inbox')) as InboxNode;
    let decision: EventTypeNode | undefined;
    for (let scan = 0; scan < 20 && !decision?.instances.some((i) => i.entry.id === ids[2]); scan++) {
      await a.tree.refresh(inbox);
      decision = (await a.tree.getChildren(inbox)).filter(isKind('eventType')).find((t) => t.type === 'decision');
    }
    assert.ok(decision, 'the "decision" group');
    const targets = decision.instances.map((i) => i.entry.id);
    const nodes = decision.instances.filter((i) => ids.includes(i.entry.id));

    // Bad JSON: a clear error, no preview, nothing sent (every instance still waits).
    expectCommandError('sendEventToAll', /Payload is not valid JSON/);
    const bad = await answering((p) => (p.kind === 'inputBox' ? '{"approved": tru' : undefined), () => vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', decision));
    assert.deepEqual(modals(bad.prompts), [], 'no preview for a payload that is not JSON');
    for (const id of ids) assert.ok((await truth().getInstance(WF, id)).steps.some((st) => st.type === 'waitForEvent' && !st.end), `${id} still waits`);

    const { prompts } = await answering(sendAnswers(), () => vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', decision));
    const [preview] = modals(prompts);
    assert.ok(preview, `a modal preview was shown (${JSON.stringify(prompts.map((p) => p.message))})`);
    assert.match(preview.message, new RegExp(`^Send event "decision" to ${targets.length} instances?\\?`));
    assert.deepEqual(preview.choices, [`Send to ${targets.length}`]);
    const summary = prompts.find((p) => !p.modal && /^Event "decision": /.test(p.message));
    assert.ok(summary, 'a per-item summary was shown');
    assert.match(summary.message, new RegExp(`^Event "decision": ${targets.length} sent, 0 failed\\.`));

    // The engine received them: each instance moved on past its wait and completed with the payload.
    for (const id of ids) {
      const d = await waitFor(`${id} completes`, async () => {
        const x = await truth().getInstance(WF, id);
        return x.status === 'complete' ? x : undefined;
      });
      assert.deepEqual(d.output, { approved: true });
    }

    // The same event again, to the same instances and one new waiting instance: only the new one gets it.
    const extra = `inbox-${stamp}-3`;
    await startWaiting([extra]);
    await a.tree.refresh(inbox);
    const extraNode = await waitFor('the new instance in the group', async () => {
      await a.tree.refresh(inbox);
      const g = (await a.tree.getChildren(inbox)).filter(isKind('eventType')).find((t) => t.type === 'decision');
      return g?.instances.find((i) => i.entry.id === extra);
    });
    const again = await answering(sendAnswers('decision'), () => vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', nodes[0], [...nodes, extraNode]));
    const [preview2] = modals(again.prompts);
    assert.ok(preview2, 'a preview again');
    assert.match(preview2.message, /^Send event "decision" to 1 instance\?/);
    assert.match(preview2.message, new RegExp(`${nodes.length} already received it and are skipped`));
    await waitFor(`${extra} completes`, async () => (await truth().getInstance(WF, extra)).status === 'complete');

    // And once more: everyone already has it, so nothing is sent and no preview is needed.
    const third = await answering(sendAnswers('decision'), () => vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', nodes[0], [...nodes, extraNode]));
    assert.equal(modals(third.prompts).length, 0, 'no preview: nothing to send');
    assert.ok(third.prompts.some((p) => /^All 4 instances already received event "decision" with this payload: nothing was sent\./.test(p.message)), JSON.stringify(third.prompts.map((p) => p.message)));
  });

  it('reports each instance\'s result: one that is gone fails alone, and running it again sends only to that one', async () => {
    const [ok, gone] = [`inbox-${stamp}-ok`, `inbox-${stamp}-gone`];
    const pair = await waitingInDecisionGroup([ok, gone]);
    // Gone between the listing and the send: its request fails, the other one's does not.
    await truth().deleteInstance(WF, gone);
    const first = await answering(sendAnswers('decision'), () => vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', pair[0], pair));
    assert.match(modals(first.prompts)[0]?.message ?? '', /^Send event "decision" to 2 instances\?/);
    const summary = first.prompts.find((p) => /^Event "decision": /.test(p.message));
    assert.ok(summary, JSON.stringify(first.prompts.map((p) => p.message)));
    assert.match(summary.message, /^Event "decision": 1 sent, 1 failed\./);
    assert.ok(summary.message.includes(`${gone}: `), 'the failure is reported for that instance');
    assert.deepEqual(summary.choices, ['Retry', 'Show Log']);
    await waitFor(`${ok} completes`, async () => (await truth().getInstance(WF, ok)).status === 'complete');

    const second = await answering(sendAnswers('decision'), () => vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', pair[0], pair));
    const preview = modals(second.prompts)[0];
    assert.ok(preview, 'a preview');
    assert.match(preview.message, /^Send event "decision" to 1 instance\?/);
    assert.match(preview.message, /1 already received it and are skipped/);
    assert.ok(preview.message.includes(`${WF} / ${gone}`) && !preview.message.includes(`${WF} / ${ok}`), 'only the one that failed is sent again');
    assert.ok(second.prompts.some((p) => /^Event "decision": 0 sent, 1 failed, 1 already had it\./.test(p.message)), JSON.stringify(second.prompts.map((p) => p.message)));
  });

  it('"Retry" on the summary previews and sends only to the instance that failed, which then receives the event', async () => {
    const [ok, back] = [`inbox-${stamp}-retry-ok`, `inbox-${stamp}-retry-back`];
    const pair = await waitingInDecisionGroup([ok, back]);
    // `back` is gone when the event is sent, so its send fails; before the user clicks "Retry" on the
    // summary it is there again (a new instance with that id, waiting), so the retry can reach it.
    await truth().deleteInstance(WF, back);
    const summaries: Prompt[] = [];
    const answer = async (p: Prompt): Promise<string | undefined> => {
      if (p.modal) return p.choices.find((c) => c.startsWith('Send to'));
      if (p.kind === 'inputBox') return PAYLOAD;
      if (p.kind === 'createQuickPick') return 'decision';
      if (!/^Event "decision": /.test(p.message)) return undefined;
      summaries.push(p);
      if (summaries.length > 1) return undefined;
      await startWaiting([back]);
      return 'Retry';
    };
    const run = await answering(answer, async () => {
      await vscode.commands.executeCommand('cloudflareWorkflows.sendEventToAll', pair[0], pair);
      // The retry runs after the command returned, from the summary's button.
      await waitFor('the retry\'s summary', async () => summaries.length === 2, 60_000);
    });
    const previews = modals(run.prompts);
    assert.equal(previews.length, 2, `one preview for the send, one for the retry (${JSON.stringify(run.prompts.map((p) => p.message))})`);
    assert.match(previews[0].message, /^Send event "decision" to 2 instances\?/);
    assert.match(summaries[0].message, /^Event "decision": 1 sent, 1 failed\./);
    assert.deepEqual(summaries[0].choices, ['Retry', 'Show Log']);
    assert.match(previews[1].message, /^Send event "decision" to 1 instance\?/);
    assert.ok(previews[1].message.includes(`${WF} / ${back}`) && !previews[1].message.includes(`${WF} / ${ok}`), `the retry goes to ${back} only: ${previews[1].message}`);
    assert.match(summaries[1].message, /^Event "decision": 1 sent, 0 failed\./);
    for (const id of [ok, back]) {
      const d = await waitFor(`${id} completes`, async () => {
        const x = await truth().getInstance(WF, id);
        return x.status === 'complete' ? x : undefined;
      });
      assert.deepEqual(d.output, { approved: true }, `${id} completed with the payload's decision`);
    }
  });
});
