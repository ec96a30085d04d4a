// `node scripts/repeat-tests.mjs [rounds] [--lock <file>]`: the real-host suites (integration, then UI)
// `rounds` times in a row (default 10), each from a clean state (a fresh engine, code-server and
// browser profile per suite), to show whether they are stable. Prints one line per round and a
// summary; exits non-zero if any round failed. `--lock <file>` takes a `flock` on <file> around each
// suite so that other heavy runs on a shared machine interleave instead of competing for the CPU.
// Each suite's full output is kept in test-results/repeat/round-<n>-<suite>.log.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const lockAt = args.indexOf('--lock');
const lock = lockAt >= 0 ? args[lockAt + 1] : undefined;
const positional = args.filter((_, i) => lockAt < 0 || (i !== lockAt && i !== lockAt + 1));
const rounds = Number(positional[0] ?? 10);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive whole number, not ${positional[0]}`);

const logs = 'test-results/repeat';
mkdirSync(logs, { recursive: true });

function suite(step, round) {
  const cmd = ['node', 'scripts/test-all.mjs', step];
  const full = lock ? ['flock', lock, ...cmd] : cmd;
  const t = Date.now();
  const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CFWF_GREP: '' } });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  writeFileSync(`${logs}/round-${round}-${step}.log`, out);
  const last = /(\d+) passed, (\d+) failed/.exec(out.split('\n').filter((l) => /passed, \d+ failed/.test(l)).pop() ?? '');
  const passed = Number(last?.[1] ?? 0);
  const failed = last ? Number(last[2]) : 1;
  const failures = [...out.matchAll(/^\s*(?:\d+\)|✗|✘|FAIL[: ]).*$/gm)].map((m) => m[0].trim()).slice(0, 5);
  return { passed, failed: failed || (r.status !== 0 ? 1 : 0), seconds: Math.round((Date.now() - t) / 1000), failures };
}

const build = spawnSync('node', ['esbuild.mjs', '--tests'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const lines = [];
let bad = 0;
for (let i = 1; i <= rounds; i++) {
  const integration = suite('integration', i);
  const ui = suite('ui', i);
  const ok = integration.failed === 0 && ui.failed === 0;
  if (!ok) bad++;
  const line = `round ${String(i).padStart(2)}: integration ${integration.passed} passed ${integration.failed} failed (${integration.seconds} s); ui ${ui.passed} passed ${ui.failed} failed (${ui.seconds} s)${ok ? '' : `  ← ${[...integration.failures, ...ui.failures].join(' | ')}`}`;
  lines.push(line);
  console.log(line);
}
console.log(`\n${rounds - bad} of ${rounds} rounds clean`);
console.log(`${(rounds - bad)} passed, ${bad} failed`);
process.exit(bad > 0 ? 1 : 0);
