// The harness itself: a broken activate() and a failing assertion must each turn the run red with a
// clear message (both run the real host; a harness that cannot fail proves nothing).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function runIntegration(env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync('npx', ['tsx', 'test/runner/integration.ts'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('Integration harness self-test', function () {
  this.timeout(300_000);

  it('fails with a clear message when activate() throws', () => {
    const r = runIntegration({ CFWF_EXTENSION_PATH: join(root, 'test', 'fixtures', 'broken-extension') });
    assert.notEqual(r.status, 0, r.out.slice(-2000));
    assert.match(r.out, /FAILED TO ACTIVATE: .*deliberately broken activate\(\)/);
  });

  it('fails when an assertion fails', () => {
    const r = runIntegration({ CFWF_SELFTEST: 'fail' });
    assert.notEqual(r.status, 0, r.out.slice(-2000));
    assert.match(r.out, /✖ Harness self-test fails on purpose/);
    assert.match(r.out, /0 passed, 1 failed/);
  });
});
