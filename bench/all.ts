// `npm run bench`: every benchmark in one run, on this machine, side by side with what users would
// use instead. Figures are medians over interleaved rounds, reported as ratios to a reference
// measured in the same run. Writes bench/results.md (the table) and bench/results.json (raw numbers).
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { clientBenchReport, median, pairedRatio, runClientBench, type ClientBenchResult } from './client';
import { hostBenchRows, runHostBench, type HostBenchResult } from './host';
import { markdownReport, runWebviewBench, type WebviewBenchResult } from './webview';

interface Row {
  figure: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
  pass: boolean;
}

const root = join(__dirname, '..');
/**
 * The issue asks for 10,000. One local engine keeps about three open files per instance, and these
 * machines allow 20,000 open files (a hard limit root cannot raise here), so past ~6,600 instances
 * wrangler dev fails with "internal error". 6,000 is the most that works; the tree's cost per
 * expanded node does not depend on the total (one request per node, one page listed).
 */
const HOST_BENCH_INSTANCES = Number(process.env.CFWF_TREE_INSTANCES ?? 6000);
const log = (l: string) => console.log(`[bench] ${l}`);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function sizeRows(): { rows: Row[]; raw: Record<string, number> } {
  log('production build and .vsix…');
  execFileSync('node', ['scripts/package.mjs', '--tests'], { cwd: root, stdio: 'ignore' });
  const size = (f: string) => statSync(join(root, f)).size;
  const raw = { extension: size('dist/extension.js'), http: size('dist/http.js'), webview: size('dist/webview.js'), webviewCss: size('dist/webview.css'), vsix: size('dist-vsix/cloudflare-workflows.vsix') };
  return {
    raw,
    rows: [
      { figure: 'Extension bundle loaded at activation (minified)', ours: kb(raw.extension), reference: '—', ratio: '—', target: '≤ 300 KB', pass: raw.extension <= 300 * 1024 },
      { figure: 'HTTP bundle (undici), loaded on the first request', ours: kb(raw.http), reference: '—', ratio: '—', target: 'informational', pass: true },
      { figure: 'Webview bundle (minified JS)', ours: kb(raw.webview), reference: '—', ratio: '—', target: '≤ 150 KB', pass: raw.webview <= 150 * 1024 },
      { figure: '.vsix', ours: kb(raw.vsix), reference: '—', ratio: '—', target: 'informational', pass: true },
    ],
  };
}

function clientRows(r: ClientBenchResult): Row[] {
  const rows: Row[] = [];
  for (const c of r.contenders.filter((x) => !x.name.startsWith('floor'))) {
    const floor = r.contenders.find((f) => f.path === c.path && f.name.startsWith('floor'));
    if (!floor) continue;
    const ours = c.name.startsWith('this client');
    for (const [task, mine, base] of [[`list all ${r.instances} instances`, c.listAllMs, floor.listAllMs], [`${r.details} details`, c.detailsMs, floor.detailsMs]] as const) {
      const x = pairedRatio(mine, base);
      rows.push({ figure: `Client (${c.path === 'engine' ? 'local' : 'cloud via gateway'}): ${task} — ${c.name}`, ours: `${median(mine).toFixed(0)} ms`, reference: `${median(base).toFixed(0)} ms (bare undici)`, ratio: `${x.toFixed(2)}×`, target: ours ? '≤ 1.15× floor' : 'reference', pass: !ours || x <= 1.15 });
    }
  }
  const single = median(r.oursSingleDetailMs);
  const cli = median(r.cliDescribeMs);
  rows.push({ figure: 'Client: one instance detail vs `wrangler workflows instances describe --local`', ours: `${single.toFixed(1)} ms`, reference: `${cli.toFixed(0)} ms (CLI)`, ratio: `${(cli / single).toFixed(0)}× faster`, target: '≥ 20× faster', pass: cli / single >= 20 });
  return rows;
}

function webviewRows(r: WebviewBenchResult): Row[] {
  const rows: Row[] = r.sizes.map((s) => {
    const ours = median(s.oursOpenToPaintMs);
    const theirs = median(s.explorerMs);
    const x = ours / theirs;
    return { figure: `Instance view: open → painted step list, ${s.steps} steps (data → paint ${median(s.oursDataToPaintMs).toFixed(0)} ms)`, ours: `${ours.toFixed(0)} ms`, reference: `${theirs.toFixed(0)} ms (Local Explorer UI)`, ratio: `${x.toFixed(2)}×`, target: s.steps === 1000 ? '≤ 0.5×' : 'informational', pass: s.steps !== 1000 || x <= 0.5 };
  });
  const longest = Math.max(...r.scroll10k.map((s) => s.longestFrameMs));
  rows.push({ figure: 'Instance view: longest frame while scrolling 10,000 steps', ours: `${longest.toFixed(0)} ms`, reference: '—', ratio: '—', target: '≤ 100 ms', pass: longest <= 100 });
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${loadavg()[0].toFixed(2)}`;
  const only = process.argv.slice(2);
  const want = (k: string) => only.length === 0 || only.includes(k);
  const rows: Row[] = [];
  const raw: Record<string, unknown> = { date: new Date().toISOString(), machine };
  const sections: string[] = [];

  const size = sizeRows();
  rows.push(...size.rows);
  raw.size = size.raw;
  // One failing part must not cost the figures of the others: it becomes a row that says so.
  const part = async (name: string, fn: () => Promise<void>) => {
    if (!want(name)) return;
    log(`${name}…`);
    try {
      await fn();
    } catch (e) {
      log(`${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      rows.push({ figure: `${name} benchmark`, ours: 'failed', reference: '—', ratio: '—', target: 'runs', pass: false });
      raw[`${name}Error`] = String(e);
    }
  };
  await part('client', async () => {
    const r = await runClientBench({ log });
    raw.client = r;
    rows.push(...clientRows(r));
    sections.push(clientBenchReport(r));
  });
  await part('host', async () => {
    const r: HostBenchResult = await runHostBench({ log, instances: HOST_BENCH_INSTANCES });
    raw.host = r;
    rows.push(...hostBenchRows(r));
  });
  await part('webview', async () => {
    const r = await runWebviewBench({ log });
    raw.webview = r;
    rows.push(...webviewRows(r));
    sections.push(markdownReport(r));
  });

  const md = [
    `# Benchmark results`,
    '',
    `${new Date().toISOString().slice(0, 10)} · ${machine} · ${((Date.now() - started) / 60000).toFixed(1)} min · \`npm run bench\``,
    '',
    '| Figure | This project | Reference | Ratio | Target | |',
    '|---|---:|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.target} | ${r.pass ? 'pass' : '**miss**'} |`),
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  writeFileSync(join(root, 'bench', 'results.md'), md);
  writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(raw, null, 2));
  console.log(md);
  console.log(`\n${rows.filter((r) => r.pass).length} targets met, ${rows.filter((r) => !r.pass).length} missed (bench/results.md)`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
