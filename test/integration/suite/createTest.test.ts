// Create Test from Instance in the real host, on a run of the real engine: it asks before writing,
// writes next to the project's tests, reports the missing setup, and takes only checked arguments.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Prompt, PromptHook } from '../../../src/testHook';
import { api, commandErrorList, expectCommandError, localConnectionId, ref } from '../helpers';

const C = 'cloudflareWorkflows.createTestFromInstance';

describe('Create Test from Instance', function () {
  let conn: string;
  let prompts: PromptHook;
  let testsDir: string;
  const file = () => join(testsDir, 'order-pipeline.order-complete.replay.test.ts');

  before(async () => {
    conn = await localConnectionId();
    prompts = (await api()).prompts;
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the fixture copy is the workspace');
    testsDir = join(ws, 'test');
    mkdirSync(testsDir, { recursive: true });
  });

  afterEach(() => {
    prompts.answer = undefined;
    rmSync(file(), { force: true });
  });

  it('asks before writing, then writes the replay test into the project\'s test folder', async () => {
    const asked: Prompt[] = [];
    prompts.answer = (p) => {
      asked.push(p);
      if (p.modal) {
        assert.ok(!existsSync(file()), 'nothing written before the user confirmed');
        return 'Write Test';
      }
      return undefined;
    };
    await vscode.commands.executeCommand(C, ref(conn, 'order-pipeline', 'order-complete'));
    assert.ok(existsSync(file()), `not written to ${file()}; prompts: ${JSON.stringify(asked)}; errors: ${JSON.stringify(await commandErrorList())}`);
    const confirm = asked.find((p) => p.modal);
    assert.deepEqual(confirm?.choices, ['Write Test', 'Choose Another Location…']);
    const code = readFileSync(file(), 'utf8');
    assert.match(code, /const BINDING = "ORDER_PIPELINE";/, 'binding from the workspace wrangler config');
    assert.match(code, /m\.mockStepError\(\{ name: "reserve stock", index: 1 \}, new Error\("warehouse busy \(attempt 2\)"\), 2\);/);
    assert.match(code, /m\.forceEventTimeout\(\{ name: "wait for approval", index: 1 \}\)/);
    assert.match(code, /await instance\.waitForStatus\('complete'\);/);
    // The fixture copy has no package.json: the setup is reported, not installed.
    assert.ok(asked.some((p) => p.kind === 'warning' && /vitest-pool-workers/.test(p.message)), JSON.stringify(asked));
  });

  it('writes nothing when the confirmation is dismissed', async () => {
    prompts.answer = () => undefined;
    await vscode.commands.executeCommand(C, ref(conn, 'order-pipeline', 'order-complete'));
    assert.ok(!existsSync(file()));
  });

  it('refuses a reference to a connection that does not exist, without asking anything', async () => {
    const before = prompts.seen.length;
    prompts.answer = () => 'Write Test';
    expectCommandError('createTestFromInstance', /connection/i);
    await vscode.commands.executeCommand(C, ref('no-such-connection', 'order-pipeline', 'order-complete'));
    assert.ok(!existsSync(file()));
    assert.ok(!prompts.seen.slice(before).some((p) => p.modal || p.kind === 'saveDialog'), 'no write prompt');
  });
});
