// The Workflows tree: connection → workflow → status group → instance → "Load more…".
// Expanding a node costs at most two requests (workflow counts come from the details call; a group
// lists one page). Node objects are kept across refreshes so VS Code keeps expansion and selection.
import * as vscode from 'vscode';
import { isApiError, type WorkflowsBackend } from '../api';
import type { ConnectionRegistry } from '../connections/registry';
import { CREDENTIAL_LABEL } from '../connections/types';
import { deriveState, describeDerivedState } from '../model/derived';
import { forMarkdown, forPlainTooltip, forTreeDescription, forTreeLabel, markHidden } from '../model/display';
import { formatDuration, formatRelative, previewJson, spanMs } from '../model/format';
import { STATUS_LABELS } from '../model/status';
import { INSTANCE_STATUSES, type InstanceDetails, type InstanceSummary, type KnownStatus, type StatusCounts, type WorkflowSummary } from '../model/types';
import type { Log } from '../log';
import { connectionContext, groupContext, instanceContext, workflowContext } from './contextValues';
import type { ConnectionNode, GroupNode, InstanceNode, MessageNode, TreeNode, WorkflowNode } from './nodes';
import { statusIcon } from './statusIcons';
import { WaitingInbox } from './inbox';

/** The Workflows view's id (package.json `contributes.views`). */
export const TREE_VIEW_ID = 'cloudflareWorkflows.tree';

export class WorkflowsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ConnectionNode[] | undefined;
  /** Expanded node ids, kept from the view's expand/collapse events: auto-refresh touches only these. */
  readonly expanded = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** "Waiting for events" under each connection and workflow (inbox.ts). */
  readonly inbox: WaitingInbox;
  private firstItemsLogged = false;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly log: Log,
  ) {
    this.disposables.push(registry.onDidChange(() => this.rebuildRoots()));
    this.inbox = new WaitingInbox(registry, log, (n) => this.changed.fire(n));
  }

  private pageSize(): number {
    return vscode.workspace.getConfiguration('cloudflareWorkflows').get<number>('pageSize', 50);
  }

  // ---- TreeDataProvider -------------------------------------------------------------------------

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      let probeMs: number | undefined;
      if (!this.roots) {
        // The first load probes ports for local sessions: the view shows its progress bar meanwhile.
        const probeStart = performance.now();
        // Items show as soon as the first session answers; the progress bar stays until the probe ends.
        const probe = this.registry.firstProbe();
        void vscode.window.withProgress({ location: { viewId: TREE_VIEW_ID } }, () => probe.done);
        await probe.quick;
        this.rebuildRoots(false);
        probeMs = performance.now() - probeStart;
      }
      // Where the time to the first items goes: the extension host's age says how much came before us.
      // Logged on the first answer even when a registry change had built the roots already.
      if (!this.firstItemsLogged) {
        this.firstItemsLogged = true;
        this.log.info(`First tree items: local probe ${probeMs === undefined ? 'n/a (a registry change built them)' : `${Math.round(probeMs)} ms`}, extension host up ${Math.round(process.uptime() * 1000)} ms`);
      }
      return this.roots ?? [];
    }
    switch (node.kind) {
      case 'connection':
        return this.connectionChildren(node);
      case 'workflow':
        return this.workflowChildren(node);
      case 'group':
        return this.groupChildren(node);
      case 'inbox':
      case 'eventType':
        return this.inbox.children(node);
      default:
        return [];
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return 'parent' in node ? node.parent : undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection':
        return this.connectionItem(node);
      case 'workflow':
        return this.workflowItem(node);
      case 'group': {
        const item = new vscode.TreeItem(STATUS_LABELS[node.status], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = forTreeDescription(node.newCount > 0 ? `${node.count} · ${node.newCount} new` : String(node.count));
        item.iconPath = statusIcon(node.status);
        item.contextValue = groupContext(node.status);
        return item;
      }
      case 'instance':
        return this.instanceItem(node);
      case 'inbox':
      case 'eventType':
      case 'waitingInstance':
        return this.inbox.item(node, (id) => this.access(id));
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…');
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'cfwfLoadMore';
        item.command = { command: 'cloudflareWorkflows.loadMore', title: 'Load more', arguments: [node] };
        return item;
      }
      case 'newArrivals': {
        const item = new vscode.TreeItem(forTreeLabel(`${node.parent.newCount} new instance${node.parent.newCount === 1 ? '' : 's'} — show`));
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('arrow-up');
        item.contextValue = 'cfwfNewArrivals';
        item.command = { command: 'cloudflareWorkflows.showNewInstances', title: 'Show new instances', arguments: [node.parent] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(forTreeLabel(node.text));
        item.id = node.id;
        item.tooltip = forPlainTooltip(node.detail ?? node.text);
        item.iconPath = new vscode.ThemeIcon(node.severity === 'error' ? 'warning' : 'info', node.severity === 'error' ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.contextValue = 'cfwfMessage';
        if (node.action) {
          item.description = forTreeDescription(node.action.title);
          item.command = { command: node.action.command, title: node.action.title, arguments: node.action.args };
        }
        return item;
      }
    }
  }

  // ---- Children ---------------------------------------------------------------------------------

  private rebuildRoots(fire = true): void {
    const old = new Map((this.roots ?? []).map((r) => [r.id, r]));
    this.roots = this.registry.connections().map((connection) => {
      const prev = old.get(connection.id);
      if (prev) {
        prev.connection = connection;
        return prev;
      }
      return { kind: 'connection', id: `c/${connection.id}`, connection } satisfies ConnectionNode;
    });
    // Keep the roots' identity where possible so expansion survives.
    for (const r of this.roots) if (!old.has(r.id)) old.set(r.id, r);
    if (fire) this.changed.fire(undefined);
  }

  private async connectionChildren(node: ConnectionNode): Promise<TreeNode[]> {
    if (!node.workflows) await this.loadWorkflows(node);
    if (node.error) return [this.errorMessage(node, node.error)];
    const ro = this.registry.readOnlyInfo(node.connection.id);
    const list = (node.workflows ?? []).filter((w) => !node.search || w.name.toLowerCase().includes(node.search.toLowerCase()));
    const extra: MessageNode[] = [];
    if (ro) extra.push({ kind: 'message', id: `${node.id}/ro`, parent: node, severity: 'info', text: `Read-only: the token lacks ${ro.missing}`, action: { command: 'cloudflareWorkflows.updateToken', title: 'Update Token', args: [node] } });
    if (node.connection.kind === 'local' && node.connection.remote) extra.push({ kind: 'message', id: `${node.id}/remote`, parent: node, severity: 'error', text: 'Not a loopback address: requests leave this machine' });
    if (list.length === 0) extra.push({ kind: 'message', id: `${node.id}/empty`, parent: node, severity: 'info', text: node.search ? `No workflow matches "${node.search}"` : 'No workflows in this connection' });
    return [...extra, ...(list.length ? [this.inbox.nodeFor(node)] : []), ...list];
  }

  private async loadWorkflows(node: ConnectionNode): Promise<void> {
    try {
      const backend = await this.registry.backend(node.connection.id);
      const summaries = await backend.listWorkflows();
      const old = new Map((node.workflows ?? []).map((w) => [w.name, w]));
      node.workflows = summaries.map((s) => {
        const w: WorkflowNode = old.get(s.name) ?? { kind: 'workflow', id: `${node.id}/w/${s.name}`, parent: node, name: s.name, filter: {}, groups: new Map() };
        if (s.instances) w.counts = s.instances;
        w.summary = s;
        return w;
      });
      node.error = undefined;
      // Counts for the descriptions, from the details call (local lists carry none), a few at a time.
      await mapLimit((node.workflows ?? []).filter((w) => !w.counts), 4, (w) => this.loadCounts(w, backend));
    } catch (e) {
      node.error = e;
      this.log.error(`Listing workflows of ${node.connection.label} failed`, e);
    }
  }

  private async loadCounts(w: WorkflowNode, backend?: WorkflowsBackend): Promise<boolean> {
    try {
      const b = backend ?? (await this.registry.backend(w.parent.connection.id));
      const details = await b.getWorkflow(w.name);
      const changed = !sameCounts(w.counts, details.instances);
      w.counts = details.instances;
      w.error = undefined;
      return changed;
    } catch (e) {
      w.error = e;
      return true;
    }
  }

  private async workflowChildren(node: WorkflowNode): Promise<TreeNode[]> {
    if (!node.counts && !node.error) await this.loadCounts(node);
    if (node.error) return [this.errorMessage(node, node.error)];
    const statuses = INSTANCE_STATUSES.filter((s) => (node.counts?.[s] ?? 0) > 0 && (!node.filter.statuses || node.filter.statuses.includes(s)));
    if (statuses.length === 0) return [{ kind: 'message', id: `${node.id}/none`, parent: node, severity: 'info', text: node.filter.statuses ? 'No instances match the filter' : 'No instances yet', action: { command: 'cloudflareWorkflows.createInstance', title: 'Create Instance…', args: [node] } }];
    const groups = statuses.map((status) => {
      let g = node.groups.get(status);
      if (!g) {
        g = { kind: 'group', id: `${node.id}/g/${status}`, parent: node, status, count: 0, newCount: 0 };
        node.groups.set(status, g);
      }
      g.count = node.counts?.[status] ?? 0;
      return g;
    });
    for (const s of [...node.groups.keys()]) if (!statuses.includes(s)) node.groups.delete(s);
    return this.inbox.mayHaveWaiting(node) ? [this.inbox.nodeFor(node), ...groups] : groups;
  }

  private async groupChildren(g: GroupNode): Promise<TreeNode[]> {
    if (!g.instances && !g.error) await this.loadPage(g);
    if (g.error) return [this.errorMessage(g, g.error)];
    const out: TreeNode[] = [];
    if (g.newCount > 0) out.push({ kind: 'newArrivals', id: `${g.id}/new`, parent: g });
    out.push(...(g.instances ?? []));
    if (g.next) out.push({ kind: 'loadMore', id: `${g.id}/more/${g.instances?.length ?? 0}`, parent: g });
    return out;
  }

  /** Fetches the next page (or the first, when nothing is loaded). One request. */
  loadPage(g: GroupNode): Promise<void> {
    g.loading ??= (async () => {
      try {
        const w = g.parent;
        const backend = await this.registry.backend(w.parent.connection.id);
        const page = await backend.listInstances(w.name, {
          status: g.status,
          perPage: this.pageSize(),
          next: g.instances ? g.next : undefined,
          dateStart: w.filter.dateStart,
          dateEnd: w.filter.dateEnd,
        });
        const known = new Set((g.instances ?? []).map((i) => i.instance.id));
        const fresh = page.instances.filter((i) => !known.has(i.id)).map((i) => this.instanceNode(g, i));
        g.instances = [...(g.instances ?? []), ...fresh];
        g.next = page.next;
        g.error = undefined;
      } catch (e) {
        g.error = e;
      } finally {
        g.loading = undefined;
      }
    })();
    return g.loading;
  }

  private instanceNode(g: GroupNode, instance: InstanceSummary): InstanceNode {
    return { kind: 'instance', id: `${g.parent.id}/i/${instance.id}`, parent: g, instance };
  }

  // ---- Items ------------------------------------------------------------------------------------

  private access(connectionId: string): 'rw' | 'ro' {
    return this.registry.readOnlyInfo(connectionId) ? 'ro' : 'rw';
  }

  private connectionItem(node: ConnectionNode): vscode.TreeItem {
    const c = node.connection;
    const item = new vscode.TreeItem(forTreeLabel(c.label), vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    const ro = this.registry.readOnlyInfo(c.id);
    item.description = forTreeDescription([c.kind === 'local' ? 'wrangler dev' : c.accountName ?? c.accountId, ro ? 'read-only' : '', node.search ? `search: ${node.search}` : ''].filter(Boolean).join(' · '));
    item.tooltip = forPlainTooltip(
      c.kind === 'local' ? `Local dev session at ${c.baseUrl}` : `Cloudflare account ${c.accountName ?? ''} (${c.accountId})\nSigned in with: ${CREDENTIAL_LABEL[c.credential ?? 'userToken']}`,
    );
    item.iconPath = new vscode.ThemeIcon(c.kind === 'local' ? 'vm' : 'cloud');
    item.contextValue = connectionContext(c.kind, this.access(c.id));
    return item;
  }

  private workflowItem(node: WorkflowNode): vscode.TreeItem {
    const item = new vscode.TreeItem(forTreeLabel(node.name), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const filterText = describeFilter(node);
    item.description = forTreeDescription([countsText(node.counts), filterText].filter(Boolean).join(' · '));
    item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
    item.tooltip = forPlainTooltip(`${node.name}${workflowFacts(node.summary)}${node.counts ? `\n${countsText(node.counts, true)}` : ''}${filterText ? `\nFilter: ${filterText}` : ''}`);
    item.contextValue = workflowContext(node.parent.connection.kind, this.access(node.parent.connection.id), !!filterText);
    return item;
  }

  private instanceItem(node: InstanceNode): vscode.TreeItem {
    const i = node.instance;
    const conn = node.parent.parent.parent.connection;
    const item = new vscode.TreeItem(forTreeLabel(i.id), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const details = this.registry.knownDetails(conn.id, node.parent.parent.name, i.id);
    const duration = spanMs(details?.start ?? i.startedOn ?? undefined, details?.end ?? i.endedOn ?? undefined);
    item.description = forTreeDescription([formatRelative(i.createdOn), duration !== undefined ? formatDuration(duration) : '', derivedText(details)].filter(Boolean).join(' · '));
    // Without details the tooltip is filled in on hover (resolveTreeItem): one request per hovered
    // item, never one per listed instance.
    if (details) item.tooltip = instanceTooltip(i, details);
    item.iconPath = statusIcon(i.status);
    item.contextValue = instanceContext(i.status, this.access(conn.id), conn.kind, true);
    // A click previews (one reusable panel); a double-click or "Open Instance" gives it a panel of its own.
    item.command = { command: 'cloudflareWorkflows.previewInstance', title: 'Preview Instance', arguments: [node] };
    return item;
  }

  /** Hovering an instance fetches its details once, for times, params and the derived state. */
  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (node.kind !== 'instance' || item.tooltip) return item;
    const conn = node.parent.parent.parent.connection;
    const workflow = node.parent.parent.name;
    try {
      const backend = await this.registry.backend(conn.id);
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      const details = await backend.getInstance(workflow, node.instance.id, { signal: ac.signal });
      this.registry.rememberDetails(conn.id, workflow, details);
      item.tooltip = instanceTooltip(node.instance, details);
    } catch {
      item.tooltip = instanceTooltip(node.instance, undefined);
    }
    return item;
  }

  private errorMessage(parent: ConnectionNode | WorkflowNode | GroupNode, e: unknown): MessageNode {
    const conn = parent.kind === 'connection' ? parent : parent.kind === 'workflow' ? parent.parent : parent.parent.parent;
    const base = { kind: 'message' as const, id: `${parent.id}/error`, parent, severity: 'error' as const, detail: errorText(e) };
    if (isApiError(e, 'auth')) return { ...base, text: 'The API token was rejected', action: { command: 'cloudflareWorkflows.updateToken', title: 'Update Token', args: [conn] } };
    if (isApiError(e, 'permission')) return { ...base, text: 'The token lacks Workers Scripts Read (or Tail Read)', action: { command: 'cloudflareWorkflows.updateToken', title: 'Update Token', args: [conn] } };
    if (conn.connection.kind === 'local' && (isApiError(e, 'network') || isApiError(e, 'timeout'))) return { ...base, text: 'The local session is gone', action: { command: 'cloudflareWorkflows.startLocalSession', title: 'Start Local Dev Session' } };
    return { ...base, text: errorText(e), action: { command: 'cloudflareWorkflows.refresh', title: 'Retry', args: [parent] } };
  }

  // ---- Refresh ----------------------------------------------------------------------------------

  /** Manual refresh: a node (reloading what lies under it) or everything. */
  async refresh(node?: TreeNode): Promise<void> {
    if (!node) {
      await this.registry.refreshLocal();
      this.rebuildRoots(false);
      for (const r of this.roots ?? []) r.workflows = undefined;
      for (const r of this.roots ?? []) r.error = undefined;
      this.changed.fire(undefined);
      return;
    }
    if (node.kind === 'connection') {
      node.workflows = undefined;
      node.error = undefined;
      this.inbox.forget(node.connection.id);
      for (const n of this.inbox.inboxesOf(node.connection.id)) this.inbox.reset(n);
    } else if (node.kind === 'workflow') {
      node.counts = undefined;
      node.error = undefined;
      for (const g of node.groups.values()) resetGroup(g);
      this.inbox.forget(node.parent.connection.id, node.name);
      for (const n of this.inbox.inboxesOf(node.parent.connection.id, node.name)) if (n.parent === node) this.inbox.reset(n);
    } else if (node.kind === 'group') {
      resetGroup(node);
    } else if (node.kind === 'inbox') {
      this.inbox.reset(node);
    }
    this.changed.fire(node.kind === 'connection' || node.kind === 'workflow' || node.kind === 'group' || node.kind === 'inbox' ? node : undefined);
  }

  /** Appends the next page of a group ("Load more…"). */
  async loadMore(g: GroupNode): Promise<void> {
    await this.loadPage(g);
    this.changed.fire(g);
  }

  /** Shows instances that arrived since the group was listed (they go on top). */
  async showNew(g: GroupNode): Promise<void> {
    resetGroup(g);
    this.changed.fire(g);
  }

  /**
   * Auto-refresh tick: counts of expanded workflows and the first page of expanded groups.
   * Returns whether anything changed. Fires events only for the nodes that changed (no flicker).
   */
  async poll(): Promise<boolean> {
    let any = false;
    for (const root of this.roots ?? []) {
      if (!this.expanded.has(root.id) || !root.workflows) continue;
      for (const w of root.workflows) {
        if (!this.expanded.has(w.id)) continue;
        const countsChanged = await this.loadCounts(w);
        for (const g of w.groups.values()) if (this.expanded.has(g.id) && g.instances) any = (await this.pollGroup(g)) || any;
        if (countsChanged) {
          any = true;
          this.changed.fire(w);
        }
      }
    }
    any = (await this.inbox.poll(this.expanded)) || any;
    return any;
  }

  private async pollGroup(g: GroupNode): Promise<boolean> {
    const w = g.parent;
    const backend = await this.registry.backend(w.parent.connection.id);
    const page = await backend.listInstances(w.name, { status: g.status, perPage: this.pageSize(), dateStart: w.filter.dateStart, dateEnd: w.filter.dateEnd });
    const shown = new Map((g.instances ?? []).map((i) => [i.instance.id, i]));
    const newCount = page.instances.filter((i) => !shown.has(i.id)).length;
    let changed = newCount !== g.newCount;
    g.newCount = newCount;
    for (const i of page.instances) {
      const node = shown.get(i.id);
      if (node && node.instance.status !== i.status) {
        node.instance = i;
        changed = true;
      }
    }
    if (changed) this.changed.fire(g);
    return changed;
  }

  /**
   * After an action on one instance: update that instance and the counts of its workflow, and
   * reload only the groups it left or joined. Other expanded nodes are left alone.
   */
  async refreshInstance(connectionId: string, workflow: string, id: string): Promise<InstanceDetails> {
    const backend = await this.registry.backend(connectionId);
    const details = await backend.getInstance(workflow, id);
    this.registry.rememberDetails(connectionId, workflow, details);
    this.inbox.noteDetails(connectionId, workflow, details);
    const root = this.roots?.find((r) => r.connection.id === connectionId);
    const w = root?.workflows?.find((x) => x.name === workflow);
    if (!w) return details;
    await this.loadCounts(w, backend);
    for (const g of w.groups.values()) {
      const node = g.instances?.find((i) => i.instance.id === id);
      if (g.status === details.status || node) resetGroup(g);
    }
    this.changed.fire(w);
    return details;
  }

  /** Finds (loading pages as needed, bounded) the node of an instance, for reveal(). */
  async findInstance(connectionId: string, workflow: string, id: string, status: KnownStatus, maxPages = 5): Promise<InstanceNode | undefined> {
    if (!this.roots) await this.getChildren();
    const root = this.roots?.find((r) => r.connection.id === connectionId);
    if (!root) return undefined;
    await this.getChildren(root);
    const w = root.workflows?.find((x) => x.name === workflow);
    if (!w) return undefined;
    if (!w.counts || (w.counts[status] ?? 0) === 0) await this.loadCounts(w);
    await this.workflowChildren(w);
    const g = w.groups.get(status);
    if (!g) return undefined;
    if (!g.instances) await this.loadPage(g);
    for (let p = 0; ; p++) {
      const hit = g.instances?.find((i) => i.instance.id === id);
      if (hit || !g.next || p >= maxPages) return hit;
      await this.loadPage(g);
    }
  }

  connectionNodes(): ConnectionNode[] {
    return this.roots ?? [];
  }

  fire(node?: TreeNode): void {
    this.changed.fire(node);
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Class, script, dates, last trigger and cron schedules, as far as the backend reported them. */
export function workflowFacts(s: WorkflowSummary | undefined): string {
  if (!s) return '';
  const when = (t: string | null | undefined) => (t ? new Date(t).toLocaleString() : 'never');
  const lines = [
    s.className !== undefined ? `Class: ${s.className}` : '',
    s.scriptName !== undefined ? `Script: ${s.scriptName}` : '',
    s.createdOn ? `Created: ${when(s.createdOn)}` : '',
    s.modifiedOn ? `Modified: ${when(s.modifiedOn)}` : '',
    s.triggeredOn !== undefined ? `Last triggered: ${when(s.triggeredOn)}` : '',
    ...(s.schedules ?? []).slice(0, 10).map((c) => `Cron ${c.cron}${c.nextInstance ? ` — next run ${when(c.nextInstance)}` : ''}`),
  ].filter(Boolean);
  return lines.length ? `\n${lines.join('\n')}` : '';
}

function instanceTooltip(i: InstanceSummary, details: InstanceDetails | undefined): vscode.MarkdownString {
  // Engine text: never trusted, no HTML, no theme icons.
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(`**${forMarkdown(i.id, 300)}** — ${STATUS_LABELS[details?.status ?? i.status]}\n\n`);
  const derived = derivedText(details);
  if (derived) md.appendMarkdown(`${forMarkdown(derived)}\n\n`);
  const versionId = details?.versionId ?? i.versionId;
  if (versionId) md.appendMarkdown(`Version: ${forMarkdown(versionId, 100)}\n\n`);
  const trigger = details?.trigger?.source ?? i.triggerSource;
  if (trigger) md.appendMarkdown(`Triggered by: ${forMarkdown(trigger, 40)}\n\n`);
  if (i.createdOn) md.appendMarkdown(`Created: ${forMarkdown(new Date(i.createdOn).toLocaleString())}\n\n`);
  if (details?.start) md.appendMarkdown(`Started: ${forMarkdown(new Date(details.start).toLocaleString())}\n\n`);
  if (details?.end) md.appendMarkdown(`Ended: ${forMarkdown(new Date(details.end).toLocaleString())}\n\n`);
  const span = spanMs(details?.start, details?.end);
  if (span !== undefined) md.appendMarkdown(`Duration: ${forMarkdown(formatDuration(span))}${details?.end ? '' : ' so far'}\n\n`);
  if (details?.error) md.appendMarkdown(`Error: ${forMarkdown(`${details.error.name}: ${details.error.message}`, 300)}\n\n`);
  if (details && details.params !== undefined) {
    md.appendMarkdown('Params:\n');
    md.appendCodeblock(markHidden(previewJson(details.params, 400)), 'json');
  }
  return md;
}

function resetGroup(g: GroupNode): void {
  g.instances = undefined;
  g.next = undefined;
  g.newCount = 0;
  g.error = undefined;
}

function sameCounts(a: StatusCounts | undefined, b: StatusCounts): boolean {
  return !!a && INSTANCE_STATUSES.every((s) => (a[s] ?? 0) === (b[s] ?? 0));
}

export function countsText(counts: StatusCounts | undefined, all = false): string {
  if (!counts) return '';
  const order: KnownStatus[] = ['running', 'waiting', 'errored', 'paused', 'waitingForPause', 'queued', 'rollingBack', 'complete', 'terminated'];
  const parts = order.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${STATUS_LABELS[s].toLowerCase()}`);
  if (!all && parts.length > 3) return parts.slice(0, 3).join(' · ') + ' …';
  return parts.join(' · ') || 'no instances';
}

function describeFilter(w: WorkflowNode): string {
  const parts: string[] = [];
  if (w.filter.statuses) parts.push(w.filter.statuses.map((s) => STATUS_LABELS[s].toLowerCase()).join('|'));
  if (w.filter.dateStart || w.filter.dateEnd) parts.push(`${w.filter.dateStart?.slice(0, 10) ?? '…'}→${w.filter.dateEnd?.slice(0, 10) ?? '…'}`);
  return parts.length ? `filter: ${parts.join(', ')}` : '';
}

function derivedText(details: InstanceDetails | undefined): string {
  if (!details) return '';
  const now = Date.now();
  return describeDerivedState(deriveState(details, now), now)?.toLowerCase() ?? '';
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}
