// Helpers for specs that run inside the extension host.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { localBackend, type WorkflowsBackend } from '../../src/api';
import type { ExtensionApi } from '../../src/extension';
import type { ConnectionNode, GroupNode, InstanceNode, TreeNode, WorkflowNode } from '../../src/tree/nodes';
import type { InstanceStatus, KnownStatus } from '../../src/model/types';

export const EXTENSION_ID = 'cfwf-community.cloudflare-workflows';

export async function api(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, 'extension is loaded');
  return ext.activate();
}

export function engineUrl(): string {
  const url = process.env.CFWF_ENGINE_URL;
  assert.ok(url, 'CFWF_ENGINE_URL is set by the runner');
  return url;
}

let truthBackend: WorkflowsBackend | undefined;
/** An independent client on the same engine: the source of truth the UI is compared with. */
export function truth(): WorkflowsBackend {
  truthBackend ??= localBackend({ baseUrl: engineUrl() });
  return truthBackend;
}

export async function localConnectionId(): Promise<string> {
  const a = await api();
  await a.registry.refreshLocal();
  const c = a.registry.connections().find((x) => x.kind === 'local' && x.baseUrl === engineUrl());
  assert.ok(c, `the local session at ${engineUrl()} is discovered`);
  return c.id;
}

export async function rootNode(): Promise<ConnectionNode> {
  const a = await api();
  const id = await localConnectionId();
  const roots = (await a.tree.getChildren()) as ConnectionNode[];
  const r = roots.find((n) => n.connection.id === id);
  assert.ok(r, 'the local connection is a tree root');
  return r;
}

export async function workflowNode(name: string): Promise<WorkflowNode> {
  const a = await api();
  const r = await rootNode();
  const kids = await a.tree.getChildren(r);
  const w = kids.find((n): n is WorkflowNode => n.kind === 'workflow' && n.name === name);
  assert.ok(w, `workflow ${name} is in the tree`);
  return w;
}

export async function groupNode(workflow: string, status: KnownStatus, refresh = true): Promise<GroupNode | undefined> {
  const a = await api();
  const w = await workflowNode(workflow);
  if (refresh) await a.tree.refresh(w);
  const kids = await a.tree.getChildren(w);
  return kids.find((n): n is GroupNode => n.kind === 'group' && n.status === status);
}

export async function instanceNode(workflow: string, status: KnownStatus, id: string): Promise<InstanceNode> {
  const a = await api();
  const g = await groupNode(workflow, status);
  assert.ok(g, `${workflow} has a ${status} group`);
  const kids = await a.tree.getChildren(g);
  const n = kids.find((k): k is InstanceNode => k.kind === 'instance' && k.instance.id === id);
  assert.ok(n, `${id} is listed under ${workflow}/${status}`);
  return n;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function statusOf(workflow: string, id: string): Promise<InstanceStatus> {
  return (await truth().getInstance(workflow, id)).status;
}

export function ref(connectionId: string, workflow: string, id: string) {
  return { connectionId, workflow, id };
}

export function isKind<K extends TreeNode['kind']>(kind: K) {
  return (n: TreeNode): n is Extract<TreeNode, { kind: K }> => n.kind === kind;
}

// ── Command errors fail the test that caused them ─────────────────────────────────────────────
// The wrapper turns a command's failure into a notification and a log line, so a test that ran a
// failing command would still pass. index.ts wraps every test: errors the test did not announce
// with expectCommandError() fail it, and so does an announced error that never came.

export interface CommandError {
  command: string;
  message: string;
}

/** The wrapper's error list, read through whichever test API the extension exposes. */
export async function commandErrorList(): Promise<readonly CommandError[]> {
  const a = (await api()) as unknown as { commandErrors?: readonly CommandError[]; test?: { commandErrors?: readonly CommandError[] | (() => readonly CommandError[]) } };
  const t = a.test?.commandErrors;
  const list = typeof t === 'function' ? t() : (t ?? a.commandErrors);
  assert.ok(list, 'the extension exposes the command error list in test mode');
  return list;
}

const expected: { command: string; pattern: RegExp; seen: boolean }[] = [];

/** Announces that the current test makes `command` (without the prefix) fail with a message matching `pattern`. */
export function expectCommandError(command: string, pattern: RegExp): void {
  expected.push({ command: command.startsWith('cloudflareWorkflows.') ? command : `cloudflareWorkflows.${command}`, pattern, seen: false });
}

/** Matches the errors reported since `from` against the announced ones; throws on any mismatch. */
export function checkCommandErrors(errors: readonly CommandError[], from: number): void {
  const problems: string[] = [];
  for (const e of errors.slice(from)) {
    const x = expected.find((x) => x.command === e.command && x.pattern.test(e.message));
    if (x) x.seen = true;
    else problems.push(`command ${e.command} reported an error the test did not expect: ${e.message}`);
  }
  for (const x of expected) if (!x.seen) problems.push(`expected ${x.command} to fail with ${x.pattern}, and it did not`);
  expected.length = 0;
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Clears announcements left by a test that failed before its check. */
export function resetExpectedCommandErrors(): void {
  expected.length = 0;
}

// ── Real keystrokes from inside the host ──────────────────────────────────────────────────────
// A command's quick pick or input box is answered the way a user does: the outer runner types
// into the workbench with Playwright while the test waits (see test/runner/integration.ts).

export type UiStep = { waitFor: string } | { type: string } | { press: string };

let uiRequests = 0;

/** Runs the steps in the real workbench (a selector to wait for, text to type, a key to press). */
export async function driveUi(steps: UiStep[]): Promise<void> {
  const file = process.env.CFWF_RESULTS;
  assert.ok(file, 'driveUi needs the code-server runner (CFWF_RESULTS)');
  const ack = `${file}.ui-${process.pid}-${++uiRequests}`;
  appendFileSync(file, JSON.stringify({ event: 'ui', steps, ack }) + '\n');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (existsSync(ack)) {
      const result = readFileSync(ack, 'utf8');
      if (result) throw new Error(`driving the workbench failed: ${result}`);
      return;
    }
  }
  throw new Error('the runner did not drive the workbench within 30 s');
}
