// `npm run test:integration`: runs the mocha suite inside the real extension host (code-server),
// against a real engine, streaming results; non-zero exit on any failure, a hang, or an extension
// that failed to activate. All processes are cleaned up.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extensionLogs, root, startRealHost } from './realHost';

const SELFTEST = !!process.env.CFWF_SELFTEST || !!process.env.CFWF_EXTENSION_PATH;
const TIMEOUT_MS = Number(process.env.CFWF_INTEGRATION_TIMEOUT_MS ?? 8 * 60_000);

async function main(): Promise<number> {
  const resultsDir = join(root, 'test-results');
  mkdirSync(resultsDir, { recursive: true });
  const results = join(resultsDir, 'integration.jsonl');
  writeFileSync(results, '');
  rmSync(evidenceDir, { recursive: true, force: true });
  const started = Date.now();
  const rh = await startRealHost({
    name: 'integration',
    env: { CFWF_RESULTS: results, CFWF_GREP: process.env.CFWF_GREP ?? '' },
    extensionTestsPath: join(root, 'out', 'test', 'integration', 'index.js'),
    gateway: true,
    extensionDevelopmentPath: process.env.CFWF_EXTENSION_PATH || undefined,
    log: (l) => console.log(`[integration] ${l}`),
  });
  // The workbench's and the webviews' console (all frames), kept with any failure's evidence.
  rh.page.on('console', (m) => {
    browserConsole.push(`${new Date().toISOString()} [${m.type()}] ${m.text().slice(0, 1000)}`);
    if (browserConsole.length > 1000) browserConsole.shift();
  });
  rh.page.on('pageerror', (e) => browserConsole.push(`${new Date().toISOString()} [pageerror] ${String(e).slice(0, 1000)}`));
  let passed = 0;
  let failed = 0;
  let ended = false;
  let offset = 0;
  try {
    while (!ended) {
      if (Date.now() - started > TIMEOUT_MS) {
        console.error(`[integration] TIMEOUT after ${TIMEOUT_MS / 1000} s: the suite hung or never started.`);
        failed++;
        break;
      }
      const text = existsSync(results) ? readFileSync(results, 'utf8') : '';
      const lines = text.slice(offset).split('\n');
      const complete = lines.slice(0, -1);
      offset += complete.reduce((n, l) => n + l.length + 1, 0);
      for (const line of complete) {
        const ev = JSON.parse(line) as { event: string; title?: string; error?: string; ms?: number; failures?: number; ack?: string; steps?: UiStep[] };
        if (ev.event === 'ui') {
          // A test waits for a user's keystrokes in a quick pick or input box it opened.
          if (ev.ack) writeFileSync(ev.ack, await driveUi(rh, ev.steps ?? []));
        } else if (ev.event === 'evidence') {
          // The failing test waits for this: the screenshot shows the workbench as that test left it.
          await keepEvidence(rh, ev.title ?? 'unknown');
          if (ev.ack) writeFileSync(ev.ack, '');
        } else if (ev.event === 'pass') {
          passed++;
          console.log(`  ✔ ${ev.title} (${ev.ms} ms)`);
        } else if (ev.event === 'fail') {
          failed++;
          // A timeout or a failing hook did not stop for evidence: take it now, as close as we can.
          if (!evidenceFor.has(ev.title ?? '')) await keepEvidence(rh, ev.title ?? 'unknown');
          console.log(`  ✖ ${ev.title}\n${indent(ev.error ?? '')}`);
        } else if (ev.event === 'pending') {
          console.log(`  - ${ev.title} (skipped: a defect)`);
          failed++;
        } else if (ev.event === 'activationFailed') {
          console.error(`[integration] The extension FAILED TO ACTIVATE: ${ev.error}`);
          failed++;
          ended = true;
        } else if (ev.event === 'end') ended = true;
      }
      if (!ended) await new Promise((r) => setTimeout(r, 250));
    }
    if (failed > 0 && evidenceFor.size === 0) await keepEvidence(rh, 'end of run');
  } finally {
    await rh.dispose();
  }
  const grep = process.env.CFWF_GREP ?? '';
  if (grep) console.log(`[integration] NARROWED by CFWF_GREP=${JSON.stringify(grep)}: only matching tests ran; this is not a full run.`);
  console.log(`[integration] ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s${grep ? ' (narrowed)' : ''}`);
  // Self-test runs (test/runner/selftest.test.ts) must not overwrite the real suite's summary.
  if (!SELFTEST) writeFileSync(join(resultsDir, 'integration.json'), JSON.stringify({ passed, failed, narrowed: grep || undefined }));
  // CI must run everything: a CFWF_GREP left in its environment would hide every other test.
  if (grep && process.env.CI === 'true') {
    console.error('[integration] FAIL: CFWF_GREP is set under CI=true.');
    return 1;
  }
  return failed > 0 || passed === 0 ? 1 : 0;
}

type UiStep = { waitFor: string } | { type: string } | { press: string };

/** Types into the workbench for a test; returns '' or what went wrong (the test fails with it). */
async function driveUi(rh: Awaited<ReturnType<typeof startRealHost>>, steps: UiStep[]): Promise<string> {
  try {
    for (const step of steps) {
      if ('waitFor' in step) await rh.page.locator(step.waitFor).first().waitFor({ state: 'visible', timeout: 15_000 });
      else if ('type' in step) await rh.page.keyboard.type(step.type);
      else await rh.page.keyboard.press(step.press);
    }
    return '';
  } catch (e) {
    return String(e instanceof Error ? e.message : e).slice(0, 2000) || 'failed';
  }
}

const evidenceFor = new Set<string>();
const browserConsole: string[] = [];
const evidenceDir = join(root, 'test-results', 'integration');

/** A screenshot of the workbench and the host's log so far, named after the failing test. */
async function keepEvidence(rh: Awaited<ReturnType<typeof startRealHost>>, title: string): Promise<void> {
  evidenceFor.add(title);
  mkdirSync(evidenceDir, { recursive: true });
  const name = title.replace(/[^\w.-]+/g, '-').slice(0, 100);
  writeFileSync(join(evidenceDir, `${name}.code-server.log`), rh.host.logs());
  for (const log of extensionLogs(rh.stateDir)) cpSync(log, join(evidenceDir, `${name}.extension.log`));
  await rh.page.screenshot({ path: join(evidenceDir, `${name}.png`) }).catch(() => undefined);
  // Which webview frames exist and whether VS Code marked them ready: a panel that never reported shows here.
  const frames = await rh.page
    .locator('iframe.webview')
    .evaluateAll((els) => els.map((e) => ({ class: e.className, visible: (e as HTMLElement).offsetParent !== null || getComputedStyle(e.parentElement ?? e).visibility !== 'hidden', rect: e.getBoundingClientRect().toJSON() as unknown })))
    .catch((e: unknown) => String(e));
  writeFileSync(join(evidenceDir, `${name}.browser.log`), [`webview frames: ${JSON.stringify(frames)}`, ...browserConsole].join('\n'));
  console.log(`[integration] evidence for "${title}": test-results/integration/${name}.png, .code-server.log, .extension.log, .browser.log`);
}

function indent(s: string): string {
  return s.split('\n').map((l) => `      ${l}`).join('\n');
}

main().then((code) => process.exit(code), (e) => {
  console.error('[integration] runner failed:', e);
  process.exit(1);
});
