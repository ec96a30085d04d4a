// API client benchmark (`npm run bench:client`): how close our client comes to the cheapest possible
// HTTP loop, next to the official `cloudflare` SDK and to `wrangler workflows instances describe`.
//
// On one `wrangler dev` with ≥ 1,000 instances of one workflow, each contender (a) lists every instance
// page by page and (b) fetches 100 instance details, 6 at a time:
//   - floor: a bare undici.request loop on a keep-alive Pool (parse JSON, nothing else);
//   - ours: localBackend straight to the engine;
//   - via the production-shaped gateway (test/support/gateway.ts): the floor again, our cloudBackend,
//     and the official SDK (baseURL = gateway, maxRetries 0);
//   - per instance: one sequential detail with ours vs. a `wrangler … describe --local` process.
// Rounds interleave the contenders (rotating their order) so drift hits all alike; medians are reported.
// "× floor" is the median over rounds of each round's ratio to that round's floor on the same path: on a
// shared 2-core machine one round can be twice as slow as the next, and pairing cancels that drift.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';
import Cloudflare from 'cloudflare';
import { cloudBackend, localBackend, type WorkflowsBackend } from '../src/api';
import { startGateway, type Gateway } from '../test/support/gateway';
import { formatRatio, formatSpread, median, pairedRatios } from './report';

export interface ClientBenchOptions {
  instances?: number;
  rounds?: number;
  details?: number;
  perPage?: number;
  cliRuns?: number;
  log?: (line: string) => void;
}

/** Milliseconds per run, one entry per round. */
export interface Contender {
  name: string;
  path: 'engine' | 'gateway';
  listAllMs: number[];
  detailsMs: number[];
  /** Instances seen by the last listing (each must see them all). */
  listed: number;
  /** HTTP requests one round took (list + details), where the contender can count them. */
  requestsPerRound?: number;
}

export interface ClientBenchResult {
  wranglerVersion: string;
  instances: number;
  perPage: number;
  details: number;
  rounds: number;
  contenders: Contender[];
  /** One detail, sequential, with our client: per-run ms. */
  oursSingleDetailMs: number[];
  /** `wrangler workflows instances describe --local`: per-run ms (process start included). */
  cliDescribeMs: number[];
}

const WORKFLOW = 'bulk-import';
const CONCURRENCY = 6;

export { median };

async function eachLimited<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Runner {
  name: string;
  path: Contender['path'];
  listAll(): Promise<number>;
  details(ids: string[]): Promise<void>;
  requests?(): number;
  close(): Promise<void>;
}

/** The floor: undici.request on a keep-alive pool, JSON.parse, nothing else. */
function floorRunner(name: string, path: Contender['path'], origin: string, prefix: string, headers: Record<string, string>, paging: 'page' | 'cursor', perPage: number): Runner {
  const pool = new Pool(origin, { connections: CONCURRENCY });
  let requests = 0;
  const get = async (p: string): Promise<{ result: { id: string }[]; result_info?: { total_pages?: number; cursor?: string } }> => {
    requests++;
    const res = await pool.request({ method: 'GET', path: `${prefix}${p}`, headers });
    const body = (await res.body.json()) as { success: boolean; result: { id: string }[]; result_info?: { total_pages?: number; cursor?: string } };
    if (res.statusCode !== 200 || !body.success) throw new Error(`${name}: ${res.statusCode} for ${p}`);
    return body;
  };
  return {
    name,
    path,
    async listAll() {
      let n = 0;
      if (paging === 'page') {
        for (let page = 1; ; page++) {
          const r = await get(`/workflows/${WORKFLOW}/instances?page=${page}&per_page=${perPage}`);
          n += r.result.length;
          if (page >= (r.result_info?.total_pages ?? 1)) break;
        }
      } else {
        let cursor = '';
        do {
          const r = await get(`/workflows/${WORKFLOW}/instances?per_page=${perPage}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          n += r.result.length;
          cursor = r.result.length ? (r.result_info?.cursor ?? '') : '';
        } while (cursor);
      }
      return n;
    },
    async details(ids) {
      await eachLimited(ids, CONCURRENCY, async (id) => {
        await get(`/workflows/${WORKFLOW}/instances/${encodeURIComponent(id)}`);
      });
    },
    requests: () => requests,
    close: () => pool.close(),
  };
}

function backendRunner(name: string, path: Contender['path'], b: WorkflowsBackend & { stats(): { requests: number } }, perPage: number): Runner {
  return {
    name,
    path,
    async listAll() {
      let n = 0;
      let next: string | undefined;
      do {
        const page = await b.listInstances(WORKFLOW, { perPage, next });
        n += page.instances.length;
        next = page.next;
      } while (next);
      return n;
    },
    async details(ids) {
      // The backend bounds concurrency itself (6 in flight); hand it everything, as the tree would.
      await Promise.all(ids.map((id) => b.getInstance(WORKFLOW, id)));
    },
    requests: () => b.stats().requests,
    close: () => b.close(),
  };
}

function sdkRunner(gw: Gateway, perPage: number): Runner {
  const client = new Cloudflare({ apiToken: gw.writeToken, baseURL: gw.apiBase, maxRetries: 0 });
  return {
    name: 'cloudflare SDK 7.3 (via gateway)',
    path: 'gateway',
    async listAll() {
      let n = 0;
      // The SDK's own pager: it walks `page` until an empty page (it never reads result_info.cursor).
      const first = await client.workflows.instances.list(WORKFLOW, { account_id: gw.accountId, per_page: perPage });
      for await (const page of first.iterPages()) n += page.result.length;
      return n;
    },
    async details(ids) {
      await eachLimited(ids, CONCURRENCY, async (id) => {
        await client.workflows.instances.get(id, { account_id: gw.accountId, workflow_name: WORKFLOW });
      });
    },
    close: async () => undefined,
  };
}

function cliDescribe(port: number, id: string): Promise<number> {
  const root = join(__dirname, '..');
  return import('../scripts/setup-node22.mjs').then(
    ({ node22Path }) =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        execFile(
          node22Path(),
          [join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'workflows', 'instances', 'describe', WORKFLOW, id, '--local', '--port', String(port)],
          { cwd: join(root, 'test', 'fixtures', 'workers'), env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }, timeout: 60_000 },
          (err, stdout) => {
            if (err) return reject(err);
            if (!stdout.includes(id)) return reject(new Error(`wrangler describe did not show ${id}:\n${stdout.slice(0, 500)}`));
            resolve(performance.now() - t0);
          },
        );
      }),
  );
}

export async function runClientBench(opts: ClientBenchOptions = {}): Promise<ClientBenchResult> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const count = opts.instances ?? 1000;
  const rounds = opts.rounds ?? 11;
  const detailsN = opts.details ?? 100;
  const perPage = opts.perPage ?? 100;
  const cliRuns = opts.cliRuns ?? 5;

  const { startEngine } = await import('../scripts/lib/engine.mjs');
  log('starting wrangler dev…');
  const engine = await startEngine({ wrangler: 'current' });
  const runners: Runner[] = [];
  let gw: Gateway | undefined;
  try {
    const setup = localBackend({ baseUrl: engine.baseUrl });
    log(`creating ${count} instances of ${WORKFLOW} (count: 1), 10 at a time…`);
    const ids = Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const t0 = Date.now();
    await eachLimited(ids, 10, async (id) => {
      await setup.createInstance(WORKFLOW, { id, params: { count: 1 } });
    });
    log(`  created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Details of instances that are finished, so every contender reads the same bytes.
    const sample = ids.filter((_, i) => i % Math.floor(count / detailsN) === 0).slice(0, detailsN);
    for (const id of sample) {
      for (let i = 0; i < 200; i++) {
        if ((await setup.getInstance(WORKFLOW, id)).status === 'complete') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await setup.close();

    gw = await startGateway({ engineApiBase: engine.apiBase });
    const auth = { authorization: `Bearer ${gw.writeToken}` };
    const gwUrl = new URL(gw.apiBase);
    const apiPath = new URL(engine.apiBase).pathname;
    runners.push(
      floorRunner('floor: undici.request loop', 'engine', engine.baseUrl, apiPath, {}, 'page', perPage),
      backendRunner('this client (localBackend)', 'engine', localBackend({ baseUrl: engine.baseUrl }), perPage),
      floorRunner('floor: undici.request loop (via gateway)', 'gateway', gwUrl.origin, `${gwUrl.pathname}/accounts/${gw.accountId}`, auth, 'cursor', perPage),
      backendRunner('this client (cloudBackend, via gateway)', 'gateway', cloudBackend({ apiToken: gw.writeToken, accountId: gw.accountId, baseUrl: gw.apiBase, rateBudget: false }), perPage),
      sdkRunner(gw, perPage),
    );
    const results = new Map<Runner, Contender>(runners.map((r) => [r, { name: r.name, path: r.path, listAllMs: [], detailsMs: [], listed: 0 }]));

    // Warm-up: connections, JIT, the engine's instance caches.
    for (const r of runners) {
      await r.listAll();
      await r.details(sample.slice(0, 10));
    }
    for (let round = 0; round < rounds; round++) {
      const order = runners.map((_, i) => runners[(i + round) % runners.length]);
      for (const r of order) {
        const c = results.get(r) as Contender;
        const before = r.requests?.();
        c.listAllMs.push(await timed(async () => void (c.listed = await r.listAll())));
        c.detailsMs.push(await timed(() => r.details(sample)));
        if (before !== undefined && r.requests) c.requestsPerRound = r.requests() - before;
      }
      log(`  round ${round + 1}/${rounds} done`);
    }

    // Per instance: one detail at a time with ours, and the CLI.
    const ours = localBackend({ baseUrl: engine.baseUrl });
    const oursSingleDetailMs: number[] = [];
    const cliDescribeMs: number[] = [];
    for (let i = 0; i < 20; i++) oursSingleDetailMs.push(await timed(async () => void (await ours.getInstance(WORKFLOW, sample[i % sample.length]))));
    await ours.close();
    log(`running wrangler workflows instances describe --local ${cliRuns} times…`);
    for (let i = 0; i < cliRuns; i++) cliDescribeMs.push(await cliDescribe(engine.port, sample[i % sample.length]));

    return {
      wranglerVersion: engine.wranglerVersion,
      instances: count,
      perPage,
      details: sample.length,
      rounds,
      contenders: runners.map((r) => results.get(r) as Contender),
      oursSingleDetailMs,
      cliDescribeMs,
    };
  } finally {
    for (const r of runners) await r.close().catch(() => undefined);
    await gw?.close();
    await engine.stop();
  }
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function floorOf(r: ClientBenchResult, c: Contender): Contender {
  return r.contenders.find((f) => f.path === c.path && f.name.startsWith('floor')) as Contender;
}

/** Median over rounds of (contender / floor in the same round). */
export function pairedRatio(mine: number[], floor: number[]): number {
  return median(mine.map((m, i) => m / floor[i]));
}

export function clientBenchReport(r: ClientBenchResult): string {
  const lines = [
    `### API client: ${r.instances} instances, pages of ${r.perPage}, ${r.details} details 6 at a time (wrangler ${r.wranglerVersion}, ${r.rounds} rounds, medians)`,
    '',
    `| Contender | Path | List all (ms, median (min–max)) | × floor (paired, range) | ${r.details} details (ms) | × floor (paired, range) | Requests / round |`,
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const c of r.contenders) {
    const floor = floorOf(r, c);
    lines.push(
      `| ${c.name} | ${c.path === 'engine' ? 'engine' : 'gateway → engine'} | ${formatSpread(c.listAllMs)} | ${c === floor ? '1×' : formatRatio(pairedRatios(c.listAllMs, floor.listAllMs))} | ${formatSpread(c.detailsMs)} | ${c === floor ? '1×' : formatRatio(pairedRatios(c.detailsMs, floor.detailsMs))} | ${c.requestsPerRound ?? '–'} |`,
    );
  }
  const single = median(r.oursSingleDetailMs);
  const cli = median(r.cliDescribeMs);
  lines.push(
    '',
    '| Per instance | ms (median) | vs. this client |',
    '|---|---:|---:|',
    `| this client: one getInstance | ${fmt(single)} | 1× |`,
    `| \`wrangler workflows instances describe --local\` (${r.cliDescribeMs.length} runs) | ${fmt(cli)} | ${(cli / single).toFixed(0)}× slower |`,
  );
  return lines.join('\n');
}

/** The targets: ≤ 1.15× the floor on both paths and both tasks; ≥ 20× faster than the CLI per instance. */
export function clientBenchTargets(r: ClientBenchResult): { ok: boolean; detail: string } {
  const ratios: string[] = [];
  let ok = true;
  for (const c of r.contenders.filter((x) => x.name.startsWith('this client'))) {
    const floor = floorOf(r, c);
    for (const [label, mine, base] of [
      ['list', c.listAllMs, floor.listAllMs],
      ['details', c.detailsMs, floor.detailsMs],
    ] as const) {
      const x = pairedRatio(mine, base);
      ratios.push(`${c.path} ${label} ${x.toFixed(2)}×`);
      if (x > 1.15) ok = false;
    }
    if (c.listed !== r.instances) {
      ok = false;
      ratios.push(`${c.name} listed ${c.listed} of ${r.instances}`);
    }
  }
  const speedup = median(r.cliDescribeMs) / median(r.oursSingleDetailMs);
  if (speedup < 20) ok = false;
  return { ok, detail: `${ratios.join(', ')}; ${speedup.toFixed(0)}× faster than the CLI per instance` };
}

if (require.main === module) {
  runClientBench()
    .then((r) => {
      console.log(clientBenchReport(r));
      const t = clientBenchTargets(r);
      console.log(`\nTargets: ≤ 1.15× the floor, ≥ 20× faster than the CLI per instance (${t.detail}): ${t.ok ? 'met' : 'NOT met'}`);
      process.exitCode = t.ok ? 0 : 1;
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
