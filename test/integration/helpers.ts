// Helpers for specs that run inside the extension host.
import * as assert from 'node:assert/strict';
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
