// Runs inside the real extension host (code-server or @vscode/test-electron): mocha with a reporter
// that streams one JSON line per event to the file the outer runner tails.
import { appendFileSync, existsSync } from 'node:fs';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { checkCommandErrors, commandErrorList, EXTENSION_ID, resetExpectedCommandErrors } from './helpers';

function emit(event: Record<string, unknown>): void {
  const file = process.env.CFWF_RESULTS;
  const line = JSON.stringify(event);
  if (file) appendFileSync(file, line + '\n');
  else console.log(line);
}

class StreamReporter {
  constructor(runner: Mocha.Runner) {
    runner.on('pass', (t) => emit({ event: 'pass', title: t.fullTitle(), ms: t.duration }));
    runner.on('fail', (t, err: Error) => emit({ event: 'fail', title: t.fullTitle(), error: String(err?.stack ?? err) }));
    runner.on('pending', (t) => emit({ event: 'pending', title: t.fullTitle() }));
  }
}

let evidenceRequests = 0;

/**
 * Asks the outer runner for a screenshot and the logs now, while the workbench still shows what the
 * failing test left, and waits (bounded) until it has them; later tests would change the picture.
 */
async function captureEvidence(title: string): Promise<void> {
  const file = process.env.CFWF_RESULTS;
  if (!file) return;
  const ack = `${file}.evidence-${++evidenceRequests}`;
  emit({ event: 'evidence', title, ack });
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && !existsSync(ack); ) await new Promise((r) => setTimeout(r, 100));
}

/** How many command errors have been matched to a test already. */
let checked = 0;

/**
 * Wraps every test so that a command it ran that reported an error fails it, unless the test
 * announced that error with expectCommandError(). Done by wrapping the test function (not an
 * afterEach hook) so that a failure marks that test and the rest of its suite still runs.
 */
async function failTestsOnCommandErrors(mocha: Mocha): Promise<void> {
  const errors = await commandErrorList();
  mocha.suite.beforeEach(function () {
    const test = this.currentTest;
    const fn = test?.fn;
    if (!test || !fn || fn.length > 0) return; // every spec here is promise-based
    resetExpectedCommandErrors();
    test.fn = async function (this: Mocha.Context) {
      const from = errors.length;
      try {
        try {
          await (fn as (this: Mocha.Context) => unknown).call(this);
        } finally {
          checked = errors.length;
        }
        checkCommandErrors(errors, from);
      } catch (e) {
        await captureEvidence(test.fullTitle());
        throw e;
      }
    };
  });
}

export async function run(): Promise<void> {
  // Activation first: a broken activate() must fail the run with a clear message, not a hang.
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  try {
    if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this host`);
    await ext.activate();
  } catch (e) {
    emit({ event: 'activationFailed', error: String((e as Error)?.stack ?? e) });
    emit({ event: 'end', failures: 1 });
    throw e;
  }
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, forbidOnly: true, reporter: StreamReporter as unknown as Mocha.ReporterConstructor, grep: process.env.CFWF_GREP });
  mocha.suite.emit('pre-require', globalThis, '', mocha);
  await failTestsOnCommandErrors(mocha);
  // Imported lazily (after pre-require) so the bundled specs find mocha's globals.
  if (process.env.CFWF_SELFTEST === 'fail') {
    await import('./suite/selftest-fail.test');
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    emit({ event: 'end', failures });
    return;
  }
  await import('./suite/activation.test');
  await import('./suite/commands-declared.test');
  await import('./suite/connections.test');
  await import('./suite/tree.test');
  await import('./suite/commands.test');
  await import('./suite/createTest.test');
  await import('./suite/webview.test');
  await import('./suite/preview.test');
  await import('./suite/codelens.test');
  await import('./suite/cloud.test');
  await import('./suite/signIn.test');
  await import('./suite/wranglerSignIn.test');
  await import('./suite/bulkRequests.test');
  await import('./suite/cloudStream.test');
  await import('./suite/inbox.test');
  // Last: it runs every command with hostile arguments, so nothing after it depends on the state it leaves.
  await import('./suite/hostileArgs.test');
  let failures = await new Promise<number>((resolve) => mocha.run(resolve));
  // Errors reported outside any test (in hooks, or after a test ended) are failures too.
  const stray = (await commandErrorList()).slice(checked);
  if (stray.length) {
    failures++;
    emit({ event: 'fail', title: 'Command errors outside any test', error: stray.map((e) => `${e.command}: ${e.message}`).join('\n') });
  }
  emit({ event: 'end', failures });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
