// "Waiting for events" in the tree: instances whose current step is an unfinished waitForEvent,
// grouped by event type, per workflow and per connection. The API cannot list them (the local engine
// reports them as `running`; production as `waiting`, together with sleeps), so they are derived from
// the steps. Costs are bounded: a scan is one list call per workflow plus at most `maxFetches` detail
// calls, and details are cached (a waiting instance is re-checked after two minutes, another running
// one after 30 s); a scan runs only when an inbox is expanded (and on auto-refresh while it stays so).
import * as vscode from 'vscode';
import type { ConnectionRegistry } from '../connections/registry';
import { forPlainTooltip, forTreeDescription, forTreeLabel } from '../model/display';
import { DEFAULT_SCAN_LIMITS, SentLedger, describeWait, groupByType, openWait, planDetailFetches, sourceTimeoutMs, UNKNOWN_TYPE_LABEL, type ScanCacheEntry, type ScanLimits, type WaitingEntry } from '../model/eventInbox';
import { formatDuration } from '../model/format';
import { splitStepName } from '../model/status';
import type { Log } from '../log';
import { instanceContext } from './contextValues';
import type { ConnectionNode, EventTypeNode, InboxNode, MessageNode, TreeNode, WaitingInstanceNode, WorkflowNode } from './nodes';

/** What the workspace source says about a waitForEvent call (wired to the workspace index by extension.ts). */
export type SourceLookup = (workflow: string, baseStepName: string) => Promise<{ eventType?: string; timeout?: string | number; timeoutDynamic?: boolean } | undefined>;

interface CachedWait {
  step: string;
  /** The type as the step data gives it (production's `event_type`). */
  stepType?: string;
  since?: number;
}

interface CacheItem extends ScanCacheEntry {
  wait?: CachedWait;
}

/** Instances listed per workflow on a scan (one list call). */
const LIST_LIMIT = 100;

export class WaitingInbox {
  /** `connectionId\0workflow` → instance id → what the last detail call said. */
  private readonly cache = new Map<string, Map<string, CacheItem>>();
  private readonly nodes = new Map<string, InboxNode>();
  private source: SourceLookup | undefined;
  /** Detail requests made by inbox scans (tests and the log read it). */
  detailRequests = 0;
  /** List requests made by inbox scans. */
  listRequests = 0;
  /**
   * What Send Event to All… remembers for this window's lifetime: which instances already received
   * which event (never sent twice), and sends that timed out or lost the connection (the server may
   * have acted: such an instance's steps are read before the same event goes to it again).
   */
  readonly deliveries = { ledger: new SentLedger(), uncertain: new Map<string, number>() };

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly log: Log,
    private readonly fire: (node: TreeNode | undefined) => void,
    readonly limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS },
  ) {}

  setSourceLookup(lookup: SourceLookup): void {
    this.source = lookup;
  }

  // ---- Nodes --------------------------------------------------------------------------------------

  /** The inbox node of a workflow or connection (kept across refreshes, so expansion survives). */
  nodeFor(parent: ConnectionNode | WorkflowNode): InboxNode {
    const id = `${parent.id}/inbox`;
    let n = this.nodes.get(id);
    if (!n || n.parent !== parent) {
      n = { kind: 'inbox', id, parent };
      this.nodes.set(id, n);
    }
    return n;
  }

  /** Whether `arg` is one of this inbox's own nodes (command arguments come from anyone). */
  isOwn(arg: unknown): arg is InboxNode | EventTypeNode {
    if (typeof arg !== 'object' || arg === null) return false;
    for (const n of this.nodes.values()) if (n === arg || n.types?.includes(arg as EventTypeNode)) return true;
    return false;
  }

  /**
   * A workflow shows an inbox only when it has instances that could be waiting: `running` ones locally
   * (the local engine reports a wait as running), `waiting` ones on Cloudflare (observed.md §1).
   */
  mayHaveWaiting(w: WorkflowNode): boolean {
    const c = w.counts;
    if (!c) return false;
    return (w.parent.connection.kind === 'local' ? (c.running ?? 0) : (c.waiting ?? 0)) > 0;
  }

  async children(node: InboxNode | EventTypeNode): Promise<TreeNode[]> {
    if (node.kind === 'eventType') return node.instances;
    // The inbox's own row is not redrawn after this first scan: a refresh of a node while the tree is
    // still expanding it left its children unexpandable in the workbench (seen in the UI test). The
    // type rows carry the counts; the inbox row shows its total from the next redraw on.
    if (!node.types && !node.error) await this.scanOnce(node);
    if (node.error) return [{ kind: 'message', id: `${node.id}/error`, parent: node, severity: 'error', text: node.error instanceof Error ? node.error.message : String(node.error), action: { command: 'cloudflareWorkflows.refresh', title: 'Retry', args: [node.parent] } } satisfies MessageNode];
    const out: TreeNode[] = [...(node.types ?? [])];
    if ((node.unchecked ?? 0) > 0) out.push({ kind: 'message', id: `${node.id}/unchecked`, parent: node, severity: 'info', text: `${node.unchecked} more unfinished instance${node.unchecked === 1 ? '' : 's'} not checked yet (checked on the next refresh)` } satisfies MessageNode);
    if (out.length === 0) out.push({ kind: 'message', id: `${node.id}/none`, parent: node, severity: 'info', text: 'No instance is waiting for an event' } satisfies MessageNode);
    return out;
  }

  item(node: InboxNode | EventTypeNode | WaitingInstanceNode, access: (connectionId: string) => 'rw' | 'ro'): vscode.TreeItem {
    const now = Date.now();
    if (node.kind === 'inbox') {
      const item = new vscode.TreeItem('Waiting for events', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon('mail');
      item.description = forTreeDescription(node.total === undefined ? '' : `${node.total}${node.unchecked ? ` · ${node.unchecked} not checked yet` : ''}`);
      item.tooltip = forPlainTooltip('Instances whose current step waits for an event, by event type. Found from the steps of unfinished instances (a bounded number of detail requests per refresh, cached).');
      item.contextValue = `cfwfInbox:${node.parent.kind}`;
      return item;
    }
    if (node.kind === 'eventType') {
      const item = new vscode.TreeItem(forTreeLabel(node.type ?? UNKNOWN_TYPE_LABEL), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.type === undefined ? 'question' : 'symbol-event');
      const workflows = new Set(node.instances.map((i) => i.entry.workflow)).size;
      item.description = forTreeDescription([String(node.instances.length), node.oldestMs !== undefined ? `oldest ${formatDuration(node.oldestMs)}` : '', node.parent.parent.kind === 'connection' ? `${workflows} workflow${workflows === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · '));
      const from = node.instances[0]?.entry.typeSource;
      item.tooltip = forPlainTooltip(node.type === undefined ? 'The event type is unknown: the step data does not say, and no waitForEvent call with a literal type was found in the workspace source.' : `Event type: ${node.type}\n${from === 'step' ? 'From the step data.' : "From the workflow's source (waitForEvent call)."}\n${node.instances.length} waiting`);
      const conn = node.parent.parent.kind === 'connection' ? node.parent.parent.connection.id : node.parent.parent.parent.connection.id;
      item.contextValue = `cfwfEventType:${node.type === undefined ? 'unknown' : 'known'}:${access(conn)}`;
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(forTreeLabel(e.id), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('watch');
    const scope = node.parent.parent.parent.kind === 'connection' ? `${e.workflow} · ` : '';
    item.description = forTreeDescription(`${scope}${describeWait(e, now)}`);
    item.tooltip = forPlainTooltip(`${e.id}\nWorkflow: ${e.workflow}\nStep: ${e.step}\nEvent type: ${e.eventType ?? UNKNOWN_TYPE_LABEL}${e.since !== undefined ? `\nWaiting since: ${new Date(e.since).toLocaleString()}` : ''}\nTimeout: ${e.timeoutMs !== undefined ? formatDuration(e.timeoutMs) : 'unknown (computed at run time)'}`);
    const kind = this.registry.get(node.connectionId)?.kind ?? 'local';
    // The instance menus apply (the status the API reports), plus the inbox's own ("Send Event to All…").
    item.contextValue = `${instanceContext(kind === 'local' ? 'running' : 'waiting', access(node.connectionId), kind, true)}:inbox`;
    item.command = { command: 'cloudflareWorkflows.previewInstance', title: 'Preview Instance', arguments: [node] };
    return item;
  }

  // ---- Scanning -----------------------------------------------------------------------------------

  /**
   * One scan per inbox at a time: the workbench and a caller (a test, a command) can ask for the same
   * children at once, and a second scan would repeat the list and detail requests.
   */
  private scanOnce(node: InboxNode): Promise<boolean> {
    const running = this.scanning.get(node);
    if (running) return running;
    const p: Promise<boolean> = this.scan(node).finally(() => {
      // Only its own entry: after a reset a newer scan may be the one registered.
      if (this.scanning.get(node) === p) this.scanning.delete(node);
    });
    this.scanning.set(node, p);
    return p;
  }
  private readonly scanning = new Map<InboxNode, Promise<boolean>>();
  /** Bumped by reset(): a scan that started before it must not write what it found. */
  private readonly generation = new Map<InboxNode, number>();

  /** Scans what an inbox covers and rebuilds its type nodes. Returns whether what it shows changed. */
  async scan(node: InboxNode): Promise<boolean> {
    const before = signature(node);
    const gen = this.generation.get(node) ?? 0;
    const current = () => (this.generation.get(node) ?? 0) === gen;
    try {
      const now = Date.now();
      let entries: WaitingEntry[] = [];
      let unchecked = 0;
      if (node.parent.kind === 'workflow') {
        const r = await this.scanWorkflow(node.parent.parent.connection.id, node.parent.name, this.limits.maxFetches);
        entries = r.entries;
        unchecked = r.unchecked;
      } else {
        const conn = node.parent;
        const backend = await this.registry.backend(conn.connection.id);
        const workflows = conn.workflows?.map((w) => ({ name: w.name, node: w })) ?? (await backend.listWorkflows()).map((w) => ({ name: w.name, node: undefined }));
        // One detail budget for the whole connection, shared out in order.
        let budget = this.limits.maxFetches;
        for (const w of workflows) {
          if (w.node?.counts && !this.mayHaveWaiting(w.node)) continue;
          const r = await this.scanWorkflow(conn.connection.id, w.name, budget);
          budget -= r.fetched;
          entries.push(...r.entries);
          unchecked += r.unchecked;
        }
      }
      // Reset meanwhile (a refresh, a send): what this scan saw is older than what was asked for.
      if (!current()) return false;
      const groups = groupByType(entries, now);
      const old = new Map((node.types ?? []).map((t) => [t.id, t]));
      node.types = groups.map((g) => {
        const id = `${node.id}/t/${g.type === undefined ? '?' : `=${g.type}`}`;
        const t: EventTypeNode = old.get(id) ?? { kind: 'eventType', id, parent: node, instances: [] };
        if (g.type !== undefined) t.type = g.type;
        t.oldestMs = g.oldestMs;
        const conn = node.parent.kind === 'connection' ? node.parent.connection.id : node.parent.parent.connection.id;
        t.instances = g.entries.map((entry) => ({ kind: 'waitingInstance', id: `${t.id}/i/${entry.workflow}/${entry.id}`, parent: t, connectionId: conn, entry }));
        return t;
      });
      node.total = entries.length;
      node.unchecked = unchecked;
      node.error = undefined;
    } catch (e) {
      if (!current()) return false;
      node.error = e;
      this.log.error('Scanning for instances waiting for events failed', e);
    }
    return signature(node) !== before;
  }

  /** One list call, then details for at most `maxFetches` instances not cached or past their TTL. */
  async scanWorkflow(connectionId: string, workflow: string, maxFetches: number): Promise<{ entries: WaitingEntry[]; unchecked: number; fetched: number }> {
    const backend = await this.registry.backend(connectionId);
    const status = backend.capabilities.reportsWaitingAsRunning ? 'running' : 'waiting';
    this.listRequests++;
    const page = await backend.listInstances(workflow, { status, perPage: LIST_LIMIT });
    const ids = page.instances.map((i) => i.id);
    const key = `${connectionId}\u0000${workflow}`;
    const cache = this.cache.get(key) ?? new Map<string, CacheItem>();
    this.cache.set(key, cache);
    // Instances that left the status (finished, paused) are forgotten.
    for (const id of [...cache.keys()]) if (!ids.includes(id)) cache.delete(id);
    const now = Date.now();
    // Details fetched anyway (an open panel, a hover) count: a wait seen there is taken as is.
    for (const id of ids) {
      if (cache.has(id)) continue;
      const known = this.registry.knownDetails(connectionId, workflow, id);
      const wait = known && openWait(known, now);
      if (wait) cache.set(id, { fetchedAt: now, waiting: true, wait: toCached(wait) });
    }
    const plan = planDetailFetches(ids, cache, now, { ...this.limits, maxFetches });
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(4, plan.fetch.length) }, async () => {
        while (next < plan.fetch.length) {
          const id = plan.fetch[next++];
          try {
            this.detailRequests++;
            const details = await backend.getInstance(workflow, id);
            this.registry.rememberDetails(connectionId, workflow, details);
            const wait = openWait(details, Date.now());
            cache.set(id, { fetchedAt: Date.now(), waiting: !!wait, ...(wait ? { wait: toCached(wait) } : {}) });
          } catch (e) {
            // Gone (deleted) or unreadable: skipped until it is listed again.
            this.log.warn(`Waiting-for-event check of ${workflow}/${id} failed: ${e instanceof Error ? e.message : String(e)}`);
            cache.set(id, { fetchedAt: Date.now(), waiting: false });
          }
        }
      }),
    );
    const entries: WaitingEntry[] = [];
    for (const id of ids) {
      const c = cache.get(id);
      if (c?.wait) entries.push(await this.entry(workflow, id, c.wait));
    }
    // Instances beyond the first list page were not looked at either.
    const beyond = page.total !== undefined ? Math.max(0, page.total - ids.length) : 0;
    return { entries, unchecked: plan.unchecked + beyond, fetched: plan.fetch.length };
  }

  private async entry(workflow: string, id: string, w: CachedWait): Promise<WaitingEntry> {
    const call = await this.source?.(workflow, splitStepName(w.step).base).catch(() => undefined);
    const e: WaitingEntry = { id, workflow, step: w.step, typeSource: 'unknown' };
    if (w.stepType !== undefined) {
      e.eventType = w.stepType;
      e.typeSource = 'step';
    } else if (call?.eventType !== undefined) {
      e.eventType = call.eventType;
      e.typeSource = 'source';
    }
    if (w.since !== undefined) e.since = w.since;
    const timeout = sourceTimeoutMs(call);
    if (timeout !== undefined) e.timeoutMs = timeout;
    return e;
  }

  /** Details fetched elsewhere (after an action on one instance) update the cache; the inboxes redraw from it. */
  noteDetails(connectionId: string, workflow: string, details: Parameters<typeof openWait>[0]): void {
    const cache = this.cache.get(`${connectionId}\u0000${workflow}`);
    if (!cache?.has(details.id)) return;
    const wait = openWait(details, Date.now());
    cache.set(details.id, { fetchedAt: Date.now(), waiting: !!wait, ...(wait ? { wait: toCached(wait) } : {}) });
    for (const n of this.inboxesOf(connectionId, workflow)) {
      if (!n.types) continue;
      this.reset(n);
      this.fire(n);
    }
  }

  /** After events went out: those instances are no longer waiting (re-checked after the short TTL). */
  markDelivered(connectionId: string, workflow: string, ids: readonly string[]): void {
    const cache = this.cache.get(`${connectionId}\u0000${workflow}`);
    if (!cache) return;
    const now = Date.now();
    for (const id of ids) cache.set(id, { fetchedAt: now, waiting: false });
  }

  /** Drops cached details (manual refresh of a connection or workflow). */
  forget(connectionId: string, workflow?: string): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${connectionId}\u0000`) && (workflow === undefined || key === `${connectionId}\u0000${workflow}`)) this.cache.delete(key);
  }

  /** Re-reads an inbox on the next expansion. */
  reset(node: InboxNode): void {
    this.generation.set(node, (this.generation.get(node) ?? 0) + 1);
    this.scanning.delete(node);
    node.types = undefined;
    node.total = undefined;
    node.unchecked = undefined;
    node.error = undefined;
  }

  /** Inbox nodes under a connection or workflow (for refreshes after a send). */
  inboxesOf(connectionId: string, workflow?: string): InboxNode[] {
    return [...this.nodes.values()].filter((n) => {
      const conn = n.parent.kind === 'connection' ? n.parent : n.parent.parent;
      return conn.connection.id === connectionId && (workflow === undefined || n.parent.kind === 'connection' || n.parent.name === workflow);
    });
  }

  /** Auto-refresh: rescans the expanded inboxes that were already shown. */
  async poll(expanded: ReadonlySet<string>): Promise<boolean> {
    let any = false;
    for (const n of this.nodes.values()) {
      const parentsOpen = expanded.has(n.parent.id) && (n.parent.kind === 'connection' || expanded.has(n.parent.parent.id));
      if (!expanded.has(n.id) || !parentsOpen || !n.types) continue;
      if (await this.scanOnce(n)) {
        any = true;
        this.fire(n);
      }
    }
    return any;
  }
}

function toCached(w: { step: string; eventType?: string; since?: number }): CachedWait {
  const c: CachedWait = { step: w.step };
  if (w.eventType !== undefined) c.stepType = w.eventType;
  if (w.since !== undefined) c.since = w.since;
  return c;
}

function signature(n: InboxNode): string {
  return JSON.stringify([n.total, n.unchecked, !!n.error, (n.types ?? []).map((t) => [t.type, t.instances.map((i) => i.entry.id)])]);
}
