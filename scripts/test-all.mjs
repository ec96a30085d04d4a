// `npm test`: everything, in one command — lint, typecheck, unit, client against the real engine,
// package, integration in the real host, UI in real Chromium. Streams each step's output and ends
// with one `N passed, N failed` line (lint and typecheck count as one check each).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureHost } from './setup-host.mjs';
import { node22Path } from './setup-node22.mjs';

const only = process.argv.slice(2);
const steps = [
  { name: 'lint', cmd: ['npx', 'eslint', '.', '--max-warnings', '0'], kind: 'check' },
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', '.', '--noEmit'], kind: 'check' },
  { name: 'unit', cmd: ['npx', 'mocha'], kind: 'mocha' },
  { name: 'engine', cmd: ['npx', 'mocha', '--config', '.mocharc.engine.json'], kind: 'mocha' },
  // Generated replay tests (Create Test from Instance) run in Vitest + workerd on the fixture.
  { name: 'replay', cmd: ['npx', 'mocha', '--no-config', '--import=tsx', 'test/replay/replay.test.ts'], kind: 'mocha' },
  { name: 'build', cmd: ['node', 'esbuild.mjs', '--tests'], kind: 'check' },
  { name: 'package', cmd: ['npm', 'run', '--silent', 'package'], kind: 'check' },
  { name: 'vsix', cmd: ['npx', 'mocha', '--no-config', '--forbid-only', '--import=tsx', 'test/package/vsix.test.ts'], kind: 'mocha' },
  // Packaging minified the bundles; the host tests want the development build with source maps.
  { name: 'rebuild', cmd: ['node', 'esbuild.mjs', '--tests'], kind: 'check' },
  { name: 'webview-ui', cmd: ['npx', 'mocha', '--no-config', '--forbid-only', '--import=tsx', '--timeout', '120000', 'test/ui/webview-harness/**/*.test.ts'], kind: 'mocha' },
  { name: 'harness', cmd: ['npx', 'mocha', '--no-config', '--forbid-only', '--import=tsx', 'test/runner/selftest.test.ts'], kind: 'mocha' },
  { name: 'integration', cmd: ['npx', 'tsx', 'test/runner/integration.ts'], kind: 'integration' },
  { name: 'ui', cmd: ['npx', 'mocha', '--config', '.mocharc.ui.json'], kind: 'mocha' },
].filter((s) => only.length === 0 || only.includes(s.name));

/** Titles of failed tests in a step's output: mocha's spec reporter (`  1) title`) and the integration stream (`✖ title`). */
function failedTitles(out) {
  const titles = new Set();
  const failing = out.lastIndexOf(' failing');
  for (const line of out.split('\n')) {
    const spec = /^\s{4,}\d+\) (.+)$/.exec(line);
    if (spec && (failing < 0 || out.indexOf(line) < failing)) titles.add(spec[1].trim());
    const stream = /^\s*✖ (.+)$/.exec(line);
    if (stream) titles.add(stream[1].trim());
  }
  return [...titles];
}

function run(cmd) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout.on('data', (b) => {
      out += b;
      process.stdout.write(b);
    });
    child.stderr.on('data', (b) => {
      out += b;
      process.stderr.write(b);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const started = Date.now();
// Install the real host and the Node for wrangler before any timed step (idempotent, fast when there).
node22Path();
ensureHost();
let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  console.log(`\n━━━ ${step.name} ━━━ ${step.cmd.join(' ')}`);
  const t = Date.now();
  if (step.kind === 'integration') rmSync('test-results/integration.json', { force: true });
  const { code, out } = await run(step.cmd);
  let p;
  let f;
  if (step.kind === 'mocha') {
    p = Number(/(\d+) passing/.exec(out)?.[1] ?? 0);
    f = Number(/(\d+) failing/.exec(out)?.[1] ?? 0) + Number(/(\d+) pending/.exec(out)?.[1] ?? 0);
    if (code !== 0 && f === 0) f = 1; // crashed before reporting
    if (p === 0 && f === 0) f = 1; // ran no test: a defect
  } else if (step.kind === 'integration') {
    const file = 'test-results/integration.json';
    const r = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { passed: 0, failed: 1 };
    p = r.passed;
    f = r.failed || (code !== 0 ? 1 : 0);
  } else {
    p = code === 0 ? 1 : 0;
    f = code === 0 ? 0 : 1;
  }
  passed += p;
  failed += f;
  summary.push(`${step.name.padEnd(12)} ${String(p).padStart(4)} passed ${String(f).padStart(3)} failed  ${((Date.now() - t) / 1000).toFixed(0)} s`);
  // Name what failed next to the counts: CI keeps only the end of a long log.
  if (f > 0) for (const title of failedTitles(out).slice(0, 10)) summary.push(`    ✖ ${title}`);
}
// A narrowed run must say so in its last line, and CI (CI=true) must never be narrowed.
const narrowed = [process.env.CFWF_GREP ? `CFWF_GREP=${JSON.stringify(process.env.CFWF_GREP)}` : '', only.length ? `steps: ${only.join(' ')}` : ''].filter(Boolean).join('; ');
if (narrowed && process.env.CI === 'true') {
  summary.push(`narrowed     under CI=true (${narrowed}): counted as a failure`);
  failed++;
}
console.log(`\n━━━ summary (${((Date.now() - started) / 1000).toFixed(0)} s) ━━━\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed${narrowed ? ` — NARROWED (${narrowed}), not a full run` : ''}`);
process.exit(failed > 0 ? 1 : 0);
