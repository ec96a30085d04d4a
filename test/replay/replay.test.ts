// "Create Test from Instance…" end to end: record runs on the real engine (wrangler dev on the fixture),
// generate Vitest files with the shipped generator, and run them with @cloudflare/vitest-pool-workers
// (workerd, on Node 22) against a copy of the fixture — unchanged (green), and with two steps swapped (red).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localBackend, type LocalWorkflowsBackend } from '../../src/api';
import type { InstanceDetails } from '../../src/model/types';
import { generateReplayTest, replayTestFileName } from '../../src/model/replayTest';
import { startSeeded, type Engine } from '../engine/lib';

const root = resolve(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'workers');
const RECORDED = [
  { workflow: 'order-pipeline', id: 'order-complete', binding: 'ORDER_PIPELINE', status: 'complete' },
  { workflow: 'flaky-payments', id: 'payment-errored', binding: 'FLAKY_PAYMENTS', status: 'errored' },
  { workflow: 'approval-gate', id: 'approval-waiting', binding: 'APPROVAL_GATE', status: 'running' },
] as const;

/** A copy of the fixture inside the repo (so `@cloudflare/vitest-pool-workers` resolves from node_modules). */
function fixtureCopy(): string {
  mkdirSync(join(root, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, '.cache', 'replay-'));
  cpSync(fixture, dir, { recursive: true, filter: (src) => !src.includes('.wrangler') });
  return dir;
}

/** Vitest with workerd needs Node >= 22, like current wrangler: the repo's pinned one. */
async function vitest(dir: string): Promise<{ code: number; out: string }> {
  const { node22Path } = await import('../../scripts/setup-node22.mjs');
  const node: string = node22Path();
  const r = spawnSync(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
  });
  return { code: r.status ?? 1, out: `${r.stdout}\n${r.stderr}` };
}

describe('Create Test from Instance: generated tests replay real runs', function () {
  this.timeout(400_000);
  let engine: Engine | undefined;
  let b: LocalWorkflowsBackend;
  const recorded = new Map<string, InstanceDetails>();
  const dirs: string[] = [];

  before(async () => {
    engine = await startSeeded('current', RECORDED.map((r) => r.id));
    b = localBackend({ baseUrl: engine.baseUrl });
    for (const r of RECORDED) recorded.set(r.id, await b.getInstance(r.workflow, r.id));
    // Recorded from the real engine, not assumed: the three outcomes the tests must reproduce.
    assert.deepEqual(RECORDED.map((r) => recorded.get(r.id)?.status), RECORDED.map((r) => r.status));
    await engine.stop();
    engine = undefined;
  });

  after(async () => {
    await engine?.stop();
    await b?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function writeTests(dir: string): string[] {
    mkdirSync(join(dir, 'test'), { recursive: true });
    return RECORDED.map((r) => {
      const t = generateReplayTest({ binding: r.binding, instance: recorded.get(r.id)! });
      const file = join(dir, 'test', replayTestFileName(r.workflow, r.id));
      writeFileSync(file, t.code);
      return file;
    });
  }

  it('runs green on the unchanged fixture: complete (output, retries, sleep, event timeout), errored after retries, waiting for an event', async () => {
    const dir = fixtureCopy();
    dirs.push(dir);
    writeTests(dir);
    const { code, out } = await vitest(dir);
    assert.equal(code, 0, out.slice(-6000));
    assert.match(out, /Tests\s+3 passed \(3\)/, out.slice(-3000));
  });

  it('fails when the fixture runs two steps in a different order', async () => {
    const dir = fixtureCopy();
    dirs.push(dir);
    writeTests(dir);
    const src = join(dir, 'src', 'index.ts');
    const code0 = readFileSync(src, 'utf8');
    const a = "    await step.do('ünïcødé ✓ 数据 <b>&amp;</b> \"quotes\"', async () => 'special characters survive');\n";
    const bBlock = "    const kb = event.payload?.outputKb ?? 64;\n    await step.do('render invoice', async () => ({ invoice: 'x'.repeat(kb * 1024) }));\n";
    assert.ok(code0.includes(a + '\n' + bBlock), 'the fixture still has the two steps this test swaps');
    writeFileSync(src, code0.replace(a + '\n' + bBlock, bBlock + '\n' + a));
    const { code, out } = await vitest(dir);
    assert.notEqual(code, 0, out.slice(-3000));
    // Only the order-pipeline replay breaks, and for the step order (its output does not depend on it).
    assert.match(out, /Tests\s+1 failed \| 2 passed \(3\)/, out.slice(-3000));
    assert.match(out, /steps ran in the recorded order/, out.slice(-3000));
  });
});
