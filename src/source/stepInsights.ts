// CodeLens and hovers on step calls: how each step behaved in recent runs, from the connection
// picked for this workspace (the local session by default). Costs are bounded: one list call and at
// most `recentInstances` detail calls per workflow, cached for a minute, fetched only while a file
// with lenses is visible, and through the same backends (so the cloud rate budget counts them).
import * as vscode from 'vscode';
import type { ConnectionRegistry } from '../connections/registry';
import { forCodeLensTitle, forCommandUri, forMarkdown, forQuickPickLabel, shorten } from '../model/display';
import { formatDuration } from '../model/format';
import { STATUS_LABELS } from '../model/status';
import { computeStepStats, type StepStats } from '../model/stepStats';
import type { InstanceDetails, StatusCounts } from '../model/types';
import type { Log } from '../log';
import type { WorkspaceIndex } from './workspaceIndex';

const CACHE_MS = 60_000;
const CONNECTION_KEY = 'cloudflareWorkflows.sourceConnection';

interface LensData {
  workflow: string;
  step?: string;
  kind: 'class' | 'step';
}

interface WorkflowInsight {
  at: number;
  counts?: StatusCounts;
  stats: Map<string, StepStats>;
  newestId?: string;
}

export class StepInsights implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly cache = new Map<string, WorkflowInsight>();
  private readonly loading = new Map<string, Promise<WorkflowInsight>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Requests made for insights (tests and the API-budget benchmark read it). */
  requests = 0;

  constructor(
    private readonly index: WorkspaceIndex,
    private readonly registry: ConnectionRegistry,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {
    this.disposables.push(index.onDidChange(() => this.changed.fire()), registry.onDidChange(() => this.changed.fire()));
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration('cloudflareWorkflows').get<boolean>('codeLens.enabled', true);
  }

  /** The connection lenses read from: the one picked for this workspace, else the first local one. */
  connectionId(): string | undefined {
    const picked = this.state.get<string>(CONNECTION_KEY);
    const all = this.registry.connections();
    if (picked && all.some((c) => c.id === picked)) return picked;
    return all.find((c) => c.kind === 'local')?.id ?? all[0]?.id;
  }

  async pickConnection(id?: string): Promise<void> {
    await this.registry.refreshLocal();
    const chosen = id ?? (await vscode.window.showQuickPick(this.registry.connections().map((c) => ({ label: forQuickPickLabel(c.label), id: c.id })), { title: 'Show step statistics from which connection?' }))?.id;
    if (!chosen) return;
    await this.state.update(CONNECTION_KEY, chosen);
    this.invalidate();
  }

  /** Drops cached figures (after new runs, a refresh) and redraws the lenses. */
  invalidate(): void {
    this.cache.clear();
    this.changed.fire();
  }

  async insight(workflow: string): Promise<WorkflowInsight | undefined> {
    const conn = this.connectionId();
    if (!conn) return undefined;
    const key = `${conn}\u0000${workflow}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    let p = this.loading.get(key);
    if (!p) {
      p = this.load(conn, workflow).finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    const fresh = await p;
    this.cache.set(key, fresh);
    return fresh;
  }

  private async load(connectionId: string, workflow: string): Promise<WorkflowInsight> {
    const backend = await this.registry.backend(connectionId);
    const n = vscode.workspace.getConfiguration('cloudflareWorkflows').get<number>('codeLens.recentInstances', 20);
    this.requests += 2;
    const [details, page] = await Promise.all([backend.getWorkflow(workflow).catch(() => undefined), backend.listInstances(workflow, { perPage: Math.min(100, n) })]);
    const recent = page.instances.slice(0, n);
    const instances: InstanceDetails[] = [];
    // Details the extension already has (tree, panels) are reused when the instance is finished.
    await Promise.all(recent.map(async (i) => {
      const known = this.registry.knownDetails(connectionId, workflow, i.id);
      if (known && ['complete', 'errored', 'terminated'].includes(known.status)) return void instances.push(known);
      this.requests++;
      const d = await backend.getInstance(workflow, i.id).catch(() => undefined);
      if (d) {
        this.registry.rememberDetails(connectionId, workflow, d);
        instances.push(d);
      }
    }));
    const order = new Map(recent.map((r, i) => [r.id, i]));
    instances.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    return { at: Date.now(), counts: details?.instances, stats: computeStepStats(instances), newestId: recent[0]?.id };
  }

  // ---- CodeLens ---------------------------------------------------------------------------------

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    await this.index.ensure();
    const classes = this.index.indexFile(doc.uri, doc.getText());
    const lenses: vscode.CodeLens[] = [];
    const lens = (line: number, data: LensData) => Object.assign(new vscode.CodeLens(new vscode.Range(line, 0, line, 0)), { data });
    for (const c of classes) {
      lenses.push(lens(c.line, { workflow: c.workflow, kind: 'class' }));
      lenses.push(new vscode.CodeLens(new vscode.Range(c.line, 0, c.line, 0), { title: 'Create Instance…', command: 'cloudflareWorkflows.createInstance', arguments: [{ connectionId: this.connectionId(), workflow: c.workflow }] }));
      for (const s of c.steps) lenses.push(lens(s.line, { workflow: c.workflow, step: s.name, kind: 'step' }));
    }
    return lenses;
  }

  async resolveCodeLens(lens: vscode.CodeLens & { data?: LensData }): Promise<vscode.CodeLens> {
    const data = lens.data;
    if (!data) return lens;
    const conn = this.connectionId();
    let insight: WorkflowInsight | undefined;
    try {
      insight = await this.insight(data.workflow);
    } catch (e) {
      this.log.warn(`Step statistics for ${data.workflow}: ${e instanceof Error ? e.message : String(e)}`);
      lens.command = { title: '$(warning) Workflows: no connection answered', command: 'cloudflareWorkflows.diagnoseConnection' };
      return lens;
    }
    if (!insight || !conn) {
      lens.command = { title: 'Workflows: start a local dev session to see runs', command: 'cloudflareWorkflows.startLocalSession' };
      return lens;
    }
    if (data.kind === 'class') {
      const c = insight.counts;
      const text = c ? Object.entries(c).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${STATUS_LABELS[s as keyof StatusCounts].toLowerCase()}`).join(' · ') || 'no instances' : 'counts unavailable';
      lens.command = { title: `$(type-hierarchy-sub) ${forCodeLensTitle(`${data.workflow}: ${text}`, 200)}`, command: 'cloudflareWorkflows.revealWorkflow', arguments: [{ connectionId: conn, workflow: data.workflow }] };
      return lens;
    }
    const stats = data.step ? insight.stats.get(data.step) : undefined;
    lens.command = stats ? lensCommand(conn, data.workflow, stats) : { title: 'no runs yet', command: 'cloudflareWorkflows.createInstance', arguments: [{ connectionId: conn, workflow: data.workflow }] };
    return lens;
  }

  // ---- Hover ------------------------------------------------------------------------------------

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!this.enabled()) return undefined;
    await this.index.ensure();
    const offset = doc.offsetAt(pos);
    for (const c of this.index.indexFile(doc.uri, doc.getText())) {
      const call = c.steps.find((s) => offset >= s.nameStart && offset <= s.nameEnd);
      if (!call) continue;
      const conn = this.connectionId();
      const stats = conn ? (await this.insight(c.workflow).catch(() => undefined))?.stats.get(call.name) : undefined;
      const md = new vscode.MarkdownString(undefined, true);
      // Trusted only for the extension's own Open Instance links; every engine string goes through
      // forMarkdown, so none of them can form a link, HTML or an icon.
      md.isTrusted = { enabledCommands: ['cloudflareWorkflows.openInstance'] };
      md.supportHtml = false;
      md.appendMarkdown(`**${forMarkdown(call.name, 200)}** — \`step.${forMarkdown(call.kind)}\` in ${forMarkdown(c.workflow, 200)}\n\n`);
      if (!stats || !conn) md.appendMarkdown('No runs yet.');
      else {
        md.appendMarkdown('| Instance | Status | Duration | Attempts | Error |\n|---|---|---|---|---|\n');
        for (const r of stats.recent.slice(0, 5)) {
          const args = forCommandUri([{ connectionId: conn, workflow: c.workflow, id: r.instanceId }, { selectStep: r.stepName }]);
          md.appendMarkdown(`| [${forMarkdown(r.instanceId, 80)}](command:cloudflareWorkflows.openInstance?${args}) | ${forMarkdown(r.outcome)} | ${r.durationMs !== undefined ? forMarkdown(formatDuration(r.durationMs)) : '—'} | ${forMarkdown(r.attempts)} | ${forMarkdown((r.error ?? '').replace(/\r?\n/g, ' '), 80)} |\n`);
        }
      }
      return new vscode.Hover(md, new vscode.Range(doc.positionAt(call.nameStart), doc.positionAt(call.nameEnd)));
    }
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function lensCommand(conn: string, workflow: string, s: StepStats): vscode.Command {
  const finished = s.successes + s.failures;
  const rate = finished ? `${Math.round((s.successes / finished) * 100)}% ok` : 'running';
  const parts = [`${s.runs} run${s.runs === 1 ? '' : 's'}`, rate];
  if (s.medianMs !== undefined) parts.push(`median ${formatDuration(s.medianMs)}`);
  if (s.retries) parts.push(`${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}`);
  if (s.lastError) parts.push(`last error: ${shorten(s.lastError, 60)}`);
  const latest = s.recent[0];
  return { title: forCodeLensTitle(parts.join(' · '), 200), command: 'cloudflareWorkflows.openInstance', arguments: [{ connectionId: conn, workflow, id: latest.instanceId }, { selectStep: latest.stepName }], tooltip: 'Open the most recent run of this step' };
}
