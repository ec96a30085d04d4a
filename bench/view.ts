// The instance view and the tree as a user meets them, in the real workbench (code-server + headless
// Chromium), side by side with Cloudflare's Local Explorer in the same run (`npm run bench:view`, or
// `npm run bench -- view`):
// - workbench ready → first items of the Workflows view, over several window reloads (each reload
//   starts a new extension host), and where the time goes (extension host start, activate());
// - a click in the tree → the first timeline row of that instance painted, for instances of 2, 1,500,
//   5,000 and 10,000 steps: first open (no instance tab, nothing cached), switch within the preview
//   (to another instance of the same size, not opened before) and revisit (back to the first);
// - the Local Explorer: navigation to the same instance → its first step visible;
// - requests per minute the gateway receives with one live cloud panel open.
//
// Clocks: every time is read in the browser (performance.timeOrigin + performance.now(), a common
// epoch for all frames) or from the extension's log (wall clock, same machine).
import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { extensionLogs, startRealHost, type RealHost } from '../test/runner/realHost';
import { Workbench } from '../test/ui/pages/workbench';
import { formatRatio, formatSpread, infoRow, median, pairedRatios, targetRow, type Row } from './report';

const WORKFLOW = 'bulk-import';
export const VIEW_SIZES = [2, 1500, 5000, 10_000];

export interface StartRound {
  /** Navigation start → workbench ready: `.monaco-workbench` with its activity bar and status bar painted. */
  readyMs: number;
  /** Navigation start → first item of the Workflows view painted. */
  firstItemsMs: number;
  /** Navigation start → the extension host process started (from the extension's log: time of a line − process uptime). */
  extHostStartMs: number;
  /** Navigation start → activate() of this extension ran. */
  activatedMs: number;
  /** The local probe of the first getChildren, as the extension logged it. */
  probeMs: number;
  /**
   * Navigation start → the extension answered the view's first getChildren (its log line's time).
   * Absent in results recorded before it was measured.
   */
  answeredMs?: number;
}

export interface SizeRounds {
  steps: number;
  firstOpenMs: number[];
  switchMs: number[];
  revisitMs: number[];
  explorerMs: number[];
}

export interface ViewBenchResult {
  rounds: number;
  start: StartRound[];
  sizes: SizeRounds[];
  /** Requests the gateway received in 60 s with one live cloud panel of a running instance open. */
  cloudPanel?: { seconds: number; requests: number; detailPolls: number; paths: string[]; polled?: { requests: number; detailPolls: number; paths: string[] } };
  cloudPanelError?: string;
  streamLanded: boolean;
}

/** Marks the first painted frame of each state in the top page: set up before any workbench script runs. */
const TOP_RECORDER = `(() => {
  if (window.top !== window) return;
  const marks = (window.__cfwfMarks = {});
  document.addEventListener('mousedown', (e) => { window.__cfwfDown = performance.timeOrigin + e.timeStamp; }, true);
  const tick = () => {
    const now = performance.timeOrigin + performance.now();
    if (!marks.ready && document.querySelector('.monaco-workbench .part.activitybar .action-item') && document.querySelector('.monaco-workbench .part.statusbar')) marks.ready = now;
    if (!marks.firstItems && document.querySelector('.part.sidebar [role="treeitem"] .label-name')) {
      const title = document.querySelector('.part.sidebar .composite.title');
      if (title && /Cloudflare Workflows/.test(title.textContent || '')) marks.firstItems = now;
    }
    if (!marks.firstItems) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a `count`-step bulk-import instance to completion on the engine. */
async function runInstance(apiBase: string, id: string, count: number): Promise<void> {
  const call = async (path: string, init?: RequestInit) => (await (await fetch(`${apiBase}${path}`, { ...init, headers: { 'content-type': 'application/json' } })).json()) as { success: boolean; result?: { status?: string } };
  const created = await call(`/workflows/${WORKFLOW}/instances`, { method: 'POST', body: JSON.stringify({ id, params: { count } }) });
  if (!created.success) throw new Error(`could not create ${id}: ${JSON.stringify(created)}`);
  for (const end = Date.now() + 15 * 60_000; ; ) {
    const status = (await call(`/workflows/${WORKFLOW}/instances/${id}`)).result?.status;
    if (status === 'complete') return;
    if (status === 'errored' || status === 'terminated' || Date.now() > end) throw new Error(`${id} ended ${String(status)}`);
    await sleep(count >= 5000 ? 1000 : 250);
  }
}

/** The extension log's lines with their wall-clock time ("2026-12-02 03:40:00.123 [info] …", local time). */
function logLines(file: string): { t: number; text: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[\w+\] (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ t: new Date(`${m[1]}T${m[2]}`).getTime(), text: m[3] }));
}

/** Time at which `predicate` first holds in any instance webview frame (polled every frame inside the frame). */
function paintedIn(page: Page, id: string, steps: number, timeoutMs = 120_000): Promise<number> {
  const corner = `${steps.toLocaleString('en-US')} steps`;
  return new Promise((resolve, reject) => {
    const watched = new Set<Frame>();
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      page.off('framenavigated', watch);
      f();
    };
    const watch = (f: Frame) => {
      if (watched.has(f) || !f.url().includes('fake.html')) return;
      watched.add(f);
      f.waitForFunction(
        ({ id, corner }) => {
          const header = document.querySelector('.header-slot');
          return !!header && (header.textContent ?? '').includes(id) && !!document.querySelector('.tl-row') && document.querySelector('.tl-corner')?.textContent === corner ? performance.timeOrigin + performance.now() : false;
        },
        { id, corner },
        { polling: 'raf', timeout: timeoutMs },
      )
        .then((h) => h.jsonValue() as Promise<number>)
        .then((t) => finish(() => resolve(t)), () => undefined /* frame gone: another one will do */);
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${id}: no painted row within ${timeoutMs} ms`))), timeoutMs);
    page.on('framenavigated', watch);
    for (const f of page.frames()) watch(f);
  });
}

/** `build: false` measures the bundles already built (npm run bench builds the production ones first). */
export async function runViewBench(opts: { rounds?: number; sizes?: number[]; log?: (l: string) => void; explorer?: boolean; cloud?: boolean; build?: boolean } = {}): Promise<ViewBenchResult> {
  const rounds = opts.rounds ?? 5;
  const sizes = opts.sizes ?? VIEW_SIZES;
  const log = opts.log ?? ((l: string) => console.log(`[bench:view] ${l}`));
  const salt = Date.now().toString(36);
  const idOf = (which: 'a' | 'b', n: number) => `view-${which}-${n}-${salt}`;
  const rh: RealHost = await startRealHost({
    name: 'bench-view',
    build: opts.build,
    // The user's apiBaseUrl setting points at the gateway from the start (application scope: set before the host runs).
    gateway: opts.cloud !== false ? { apiBaseUrlSetting: true } : false,
    log,
    prepare: async (engine) => {
      for (const n of sizes) {
        const t = Date.now();
        for (const which of ['a', 'b'] as const) await runInstance(engine.apiBase, idOf(which, n), n);
        log(`ran two ${n}-step instances in ${((Date.now() - t) / 1000).toFixed(0)} s`);
      }
    },
  });
  const page = rh.page;
  await page.context().addInitScript(TOP_RECORDER);
  const wb = new Workbench(page);
  const result: ViewBenchResult = { rounds, start: [], sizes: sizes.map((steps) => ({ steps, firstOpenMs: [], switchMs: [], revisitMs: [], explorerMs: [] })), streamLanded: false };
  try {
    // Warm-up load: open the Workflows view once, so that every reload restores it as the visible view.
    await wb.waitReady();
    await wb.view.open();
    await wb.view.item(/^Local · 127\.0\.0\.1/).first().waitFor({ timeout: 60_000 });
    await sleep(2000);

    for (let round = 0; round < rounds; round++) {
      // A reload starts a new extension host: the tree's first load runs again from scratch.
      await page.reload({ waitUntil: 'commit' });
      const marks = (await page.waitForFunction(() => {
        const m = (window as unknown as { __cfwfMarks?: { ready?: number; firstItems?: number } }).__cfwfMarks;
        return m?.ready && m.firstItems ? m : false;
      }, null, { timeout: 120_000, polling: 500 }).then((h) => h.jsonValue())) as { ready: number; firstItems: number };
      const nav = (await page.evaluate(() => performance.timeOrigin)) as number;
      // This host's lines: the first activation and first-items lines logged after this navigation
      // (a reload may write to a new log file or append to the old one, so every file is read).
      let s: StartRound | undefined;
      // The log is written behind the workbench (buffered, and slower under a busy engine): wait a minute.
      for (let i = 0; i < 240 && !s; i++, await sleep(250)) {
        const lines = extensionLogs(rh.stateDir).flatMap(logLines).filter((l) => l.t >= nav - 1000).sort((a, b) => a.t - b.t);
        const act = lines.find((l) => /^Activated in ([\d.]+) ms/.test(l.text));
        const first = lines.map((l) => ({ l, m: /^First tree items: local probe (\d+ ms|n\/a[^,]*), extension host up (\d+) ms/.exec(l.text) })).find((x) => x.m);
        if (!act || !first?.m) continue;
        const activationMs = Number(/^Activated in ([\d.]+)/.exec(act.text)![1]);
        s = { readyMs: marks.ready - nav, firstItemsMs: marks.firstItems - nav, extHostStartMs: first.l.t - Number(first.m[2]) - nav, activatedMs: act.t - activationMs - nav, probeMs: first.m[1].endsWith('ms') ? parseInt(first.m[1], 10) : NaN, answeredMs: first.l.t - nav };
      }
      if (!s) {
        const tails = extensionLogs(rh.stateDir).map((f) => `${f.split('/').slice(-3).join('/')}: ${readFileSync(f, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
        throw new Error(`no activation or first-items line logged after the reload at ${new Date(nav).toISOString()} (${tails.join(' || ') || 'no log file'})`);
      }
      result.start.push(s);
      log(`round ${round + 1}: workbench ready ${s.readyMs.toFixed(0)} ms, ext host started ${s.extHostStartMs.toFixed(0)} ms, activate() ${s.activatedMs.toFixed(0)} ms, first items ${s.firstItemsMs.toFixed(0)} ms (probe ${Number.isNaN(s.probeMs) ? 'n/a' : `${s.probeMs} ms`}) after navigation`);

      await wb.view.item(/^Local · 127\.0\.0\.1/).first().waitFor();
      await wb.view.expand(/^Local · 127\.0\.0\.1/);
      await wb.view.expand(WORKFLOW);
      await wb.view.expandAt([WORKFLOW, /^Complete/], 60_000);
      // Sizes in a rotating order, so none always goes first after the reload.
      const order = sizes.map((_, i) => sizes[(i + round) % sizes.length]);
      for (const n of order) {
        const r = result.sizes.find((x) => x.steps === n)!;
        await closeAllEditors(page);
        r.firstOpenMs.push(await clickToPaint(page, wb, idOf('a', n), n));
        r.switchMs.push(await clickToPaint(page, wb, idOf('b', n), n));
        r.revisitMs.push(await clickToPaint(page, wb, idOf('a', n), n));
        if (opts.explorer !== false) r.explorerMs.push(await explorerToFirstStep(page, `${rh.engine.baseUrl}/cdn-cgi/local/explorer/workflows/${WORKFLOW}/${idOf('a', n)}`, n));
        log(`round ${round + 1} · ${n} steps · first open ${r.firstOpenMs.at(-1)!.toFixed(0)} ms · switch ${r.switchMs.at(-1)!.toFixed(0)} ms · revisit ${r.revisitMs.at(-1)!.toFixed(0)} ms · Local Explorer ${r.explorerMs.at(-1)?.toFixed(0) ?? '—'} ms`);
      }
      await closeAllEditors(page);
    }

    result.streamLanded = streamLanded();
    // Its own failure must not cost the rounds above: it is reported beside them.
    if (opts.cloud !== false && rh.gateway) {
      try {
        result.cloudPanel = await cloudPanelRequests(rh, wb, log);
      } catch (e) {
        result.cloudPanelError = e instanceof Error ? e.message : String(e);
        log(`cloud panel part failed: ${result.cloudPanelError}`);
      }
    }
    return result;
  } catch (e) {
    await page.screenshot({ path: `/tmp/cfwf-bench-view-failure-${process.pid}.png` }).catch(() => undefined);
    throw e;
  } finally {
    await rh.dispose();
  }
}

/** Whether the event stream for cloud panels has landed (src/api has a stream reader). */
function streamLanded(): boolean {
  try {
    return /subscribe|events\/stream|NDJSON/i.test(readFileSync(require.resolve('../src/api/cloud.ts'), 'utf8'));
  } catch {
    return false;
  }
}

async function closeAllEditors(page: Page): Promise<void> {
  const close = page.locator('.tabs-container .tab .tab-actions .action-label');
  for (let i = 0; i < 20 && (await close.count()) > 0; i++) {
    await close.first().click({ force: true });
    await sleep(100);
  }
  await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
}

/** pointer down on the instance's tree row → a timeline row of that instance painted in the webview. */
async function clickToPaint(page: Page, wb: Workbench, id: string, steps: number): Promise<number> {
  const row = wb.view.item(id).first();
  await row.waitFor({ timeout: 60_000 });
  await row.scrollIntoViewIfNeeded();
  const painted = paintedIn(page, id, steps);
  await row.click();
  const paintedAt = await painted;
  const down = (await page.evaluate(() => (window as unknown as { __cfwfDown?: number }).__cfwfDown)) ?? NaN;
  // Let the view settle (the refresh behind a cached paint) before the next click.
  await sleep(500);
  return paintedAt - down;
}

/** Local Explorer: navigation to the instance page → its first step (the newest, listed first) visible. */
async function explorerToFirstStep(page: Page, url: string, steps: number): Promise<number> {
  const p = await page.context().newPage();
  try {
    await p.goto(url, { waitUntil: 'commit' });
    const t = (await p.waitForFunction((text) => ([...document.querySelectorAll('span')].some((s) => s.textContent === text) ? performance.now() : false), `import row ${steps - 1}`, { polling: 'raf', timeout: 300_000 }).then((h) => h.jsonValue())) as number;
    return t;
  } finally {
    await p.close();
  }
}

/** A cloud account on the gateway, one running instance open in its panel; gateway requests over 60 s. */
async function cloudPanelRequests(rh: RealHost, wb: Workbench, log: (l: string) => void): Promise<ViewBenchResult['cloudPanel']> {
  const gw = rh.gateway!;
  await wb.palette.run('Cloudflare Workflows: Add Cloudflare Account…');
  await wb.quickInput.waitTitle(/API token/);
  await wb.quickInput.type(gw.writeToken);
  await wb.quickInput.accept();
  const account = wb.view.item(/Gateway Test Account/).first();
  await account.waitFor({ timeout: 30_000 });
  await wb.view.expand(/Gateway Test Account/);
  // The cloud connection's long-sleeper: the "long-sleeper" row after the account's (Local is listed first).
  const underAccount = /Gateway Test Account/;
  await wb.view.expandAt([underAccount, 'long-sleeper']);
  await wb.view.expandAt([underAccount, 'long-sleeper', /^Running/]);
  const row = await wb.view.rowAt([underAccount, 'long-sleeper', /^Running/, 'sleeper-running']);
  const painted = paintedIn(rh.page, 'sleeper-running', 3).catch(() => paintedIn(rh.page, 'sleeper-running', 2));
  await row.click();
  await rh.page.locator('.tabs-container .tab .label-name', { hasText: 'sleeper-running' }).first().waitFor({ timeout: 30_000 });
  // A panel that never painted would count 0 requests as well as a streamed one: it must paint.
  await painted;
  const seconds = 60;
  const count = async (label: string) => {
    await sleep(3000);
    const from = gw.log.length;
    log(`counting gateway requests for ${seconds} s with one live cloud panel (${label})…`);
    await sleep(seconds * 1000);
    const entries = gw.log.slice(from);
    const detailPolls = entries.filter((e) => e.method === 'GET' && /\/workflows\/long-sleeper\/instances\/sleeper-running(\?|$)/.test(e.path)).length;
    return { requests: entries.length, detailPolls, paths: [...new Set(entries.map((e) => `${e.method} ${e.path.replace(/\/accounts\/[^/]+/, '/accounts/…')}`))] };
  };
  const streamed = await count('streamed');
  // The reference: the same panel where the stream is refused (an account without it), which polls.
  gw.setStream('404');
  await wb.closeTab('sleeper-running');
  await row.click();
  await rh.page.locator('.tabs-container .tab .label-name', { hasText: 'sleeper-running' }).first().waitFor({ timeout: 30_000 });
  const polled = await count('stream refused, polling');
  gw.setStream('on');
  return { seconds, ...streamed, polled };
}

export function viewBenchRows(r: ViewBenchResult): Row[] {
  const rows: Row[] = [];
  const ready = r.start.map((s) => s.readyMs);
  const readyToItems = r.start.map((s) => s.firstItemsMs - s.readyMs);
  const hostToItems = r.start.map((s) => s.firstItemsMs - s.extHostStartMs);
  const activateToItems = r.start.map((s) => s.firstItemsMs - s.activatedMs);
  rows.push(targetRow({ figure: 'Workbench ready (activity bar and status bar painted) → first Workflows view items, window reloads', ours: formatSpread(readyToItems), reference: `ready at ${formatSpread(ready)} after navigation`, ratio: '—', target: '≤ 2 s (median)' }, median(readyToItems) <= 2000));
  rows.push(infoRow({ figure: 'Workbench ready → extension host process started', ours: formatSpread(r.start.map((s) => s.extHostStartMs - s.readyMs)), reference: '—', ratio: '—' }));
  rows.push(infoRow({ figure: 'Extension host started → first tree items', ours: formatSpread(hostToItems), reference: '—', ratio: '—' }));
  rows.push(infoRow({ figure: 'activate() → first tree items (ours: probe, first request, render)', ours: formatSpread(activateToItems), reference: `probe ${formatSpread(r.start.map((s) => s.probeMs).filter((n) => !Number.isNaN(n)))} (rounds where it ran)`, ratio: '—' }));
  // Split at the extension's answer: before it, the view asking and the probe; after it, the workbench painting the rows.
  const answered = r.start.flatMap((s) => (s.answeredMs === undefined ? [] : [{ ...s, answeredMs: s.answeredMs }]));
  if (answered.length) {
    rows.push(infoRow({ figure: 'activate() → first getChildren answered (the view asks; the probe)', ours: formatSpread(answered.map((s) => s.answeredMs - s.activatedMs)), reference: '—', ratio: '—' }));
    rows.push(infoRow({ figure: 'first getChildren answered → first tree items painted (the workbench)', ours: formatSpread(answered.map((s) => s.firstItemsMs - s.answeredMs)), reference: '—', ratio: '—' }));
  }
  const at = (n: number) => r.sizes.find((s) => s.steps === n);
  for (const s of r.sizes) {
    const withExplorer = s.explorerMs.length === s.firstOpenMs.length && s.explorerMs.length > 0;
    const ref = withExplorer ? `${formatSpread(s.explorerMs)} (Local Explorer, navigate → first step)` : '—';
    const x = withExplorer ? pairedRatios(s.firstOpenMs, s.explorerMs) : undefined;
    const label = s.steps.toLocaleString('en-US');
    const first = { figure: `Workbench: click in the tree → first timeline row, first open, ${label} steps`, ours: formatSpread(s.firstOpenMs), reference: ref, ratio: x ? formatRatio(x) : '—' };
    rows.push(s.steps === 5000 && x ? targetRow({ ...first, target: '≤ 0.08× Local Explorer (median)' }, x.median <= 0.08) : infoRow(first));
    const sw = { figure: `Workbench: switch within the preview → first row, ${label} steps`, ours: formatSpread(s.switchMs), reference: '—', ratio: '—' };
    rows.push(s.steps === 1500 ? targetRow({ ...sw, target: '≤ 300 ms (median)' }, median(s.switchMs) <= 300) : infoRow(sw));
    rows.push(infoRow({ figure: `Workbench: revisit (cached) → first row, ${label} steps`, ours: formatSpread(s.revisitMs), reference: '—', ratio: '—' }));
  }
  const two = at(2);
  const five = at(5000);
  if (two && five) {
    const x = pairedRatios(five.firstOpenMs, two.firstOpenMs);
    rows.push(targetRow({ figure: 'Workbench: first open, 5,000 steps vs 2 steps (size does not matter)', ours: formatSpread(five.firstOpenMs), reference: `${formatSpread(two.firstOpenMs)} (2 steps)`, ratio: formatRatio(x), target: '≤ 1.3× (median)' }, x.median <= 1.3));
  }
  if (r.cloudPanelError) rows.push(targetRow({ figure: 'Requests per minute with one live cloud panel', ours: 'failed', reference: r.cloudPanelError.slice(0, 200), ratio: '—', target: 'runs' }, false));
  if (r.cloudPanel) {
    const perMin = (n: number) => (n * 60) / r.cloudPanel!.seconds;
    const p = r.cloudPanel.polled;
    const row = { figure: `Requests per minute with one live cloud panel (running instance, tree auto-refresh off)${r.streamLanded ? ', streamed' : ', polled'}`, ours: `${perMin(r.cloudPanel.requests).toFixed(0)}/min, ${perMin(r.cloudPanel.detailPolls).toFixed(0)} detail polls/min`, reference: p ? `${perMin(p.requests).toFixed(0)}/min, ${perMin(p.detailPolls).toFixed(0)} detail polls/min with the stream refused (polling); API limit 240/min` : '240/min API limit', ratio: '—' };
    // 0 streamed counts only beside a polled phase that did poll: that shows the same panel was live.
    rows.push(r.streamLanded ? targetRow({ ...row, target: '0 detail polls/min (and > 0 when polling)' }, r.cloudPanel.detailPolls === 0 && (p?.detailPolls ?? 0) > 0) : infoRow(row));
  }
  return rows;
}

export function viewBenchSection(r: ViewBenchResult): string {
  const lines = [
    `### Real workbench: tree and instance view (${r.rounds} rounds; code-server + headless Chromium)`,
    '',
    '| Round | Workbench ready | Ext host started | activate() | getChildren answered | First tree items | Local probe |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...r.start.map((s, i) => `| ${i + 1} | ${s.readyMs.toFixed(0)} ms | ${s.extHostStartMs.toFixed(0)} ms | ${s.activatedMs.toFixed(0)} ms | ${s.answeredMs === undefined ? '—' : `${s.answeredMs.toFixed(0)} ms`} | ${s.firstItemsMs.toFixed(0)} ms | ${Number.isNaN(s.probeMs) ? 'n/a' : `${s.probeMs} ms`} |`),
    '',
    'Times after navigation start (a window reload; each reload starts a new extension host). Workbench ready = the activity bar has its icons and the status bar is painted. First tree items = the first row of the Workflows view painted.',
    'Ext host started = the extension host process start, from its uptime logged by the extension; activate() = when the extension\'s activate() began.',
    '',
    'Click → first row = pointer down on the instance row in the tree → the first animation frame in which the instance webview shows a timeline row and the header of that instance (read inside the webview frame).',
    'First open: no instance tab open and nothing cached in this extension host. Switch: the preview shows another instance of the same size; the target was never opened. Revisit: back to the first one (cached).',
    'Local Explorer: navigation to its instance page → its first listed step visible (same browser, same engine, interleaved with ours in each round).',
  ];
  if (r.cloudPanel) lines.push('', `Cloud panel, streamed: ${r.cloudPanel.requests} requests in ${r.cloudPanel.seconds} s (${r.cloudPanel.detailPolls} of them detail GETs of the open instance); paths: ${r.cloudPanel.paths.join(', ') || 'none'}`);
  if (r.cloudPanel?.polled) lines.push(`Cloud panel, stream refused (404), polling: ${r.cloudPanel.polled.requests} requests in ${r.cloudPanel.seconds} s (${r.cloudPanel.polled.detailPolls} detail GETs); paths: ${r.cloudPanel.polled.paths.join(', ') || 'none'}`);
  return lines.join('\n');
}

if (require.main === module) {
  const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
  runViewBench({ rounds: arg('rounds') ? Number(arg('rounds')) : undefined, sizes: arg('sizes')?.split(',').map(Number), explorer: arg('explorer') !== 'off', cloud: arg('cloud') !== 'off' }).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      for (const row of viewBenchRows(r)) console.log(`${row.verdict.toUpperCase()} ${row.figure}: ${row.ours} | ${row.reference} | ${row.ratio} | target ${row.target}`);
      console.log(viewBenchSection(r));
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
