// Every contributed command, invoked the way a `command:` link or another extension could invoke it:
// with a foreign base URL, "already confirmed" flags, a bare `true`, a file Uri, a token, a payload and
// a forged tree node. A recording server on loopback stands in for the attacker's host. Every prompt
// is dismissed through the test hook (as a user who says no). Asserts: no request reaches the
// recording server, every destructive command asked before doing anything, nothing destructive
// reached the engine, no file was written, and each refusal is a clear message, not a crash.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { InstanceDetails } from '../../../src/model/types';
import { api, commandErrorList, EXTENSION_ID, expectCommandError, localConnectionId, truth, waitFor } from '../helpers';
import { answering, type Prompt } from '../prompts';

/** Commands that change or remove something, send something, or write a file: each must ask. */
const MUST_ASK = ['cloudflareWorkflows.terminate', 'cloudflareWorkflows.restart', 'cloudflareWorkflows.deleteInstance', 'cloudflareWorkflows.sendEvent', 'cloudflareWorkflows.sendEventToAll', 'cloudflareWorkflows.exportInstance', 'cloudflareWorkflows.removeConnection', 'cloudflareWorkflows.startLocalSession'];
/** A hang guard only (each call normally ends in milliseconds), not a synchronisation. */
const CALL_LIMIT_MS = 20_000;

describe('Hostile command arguments', function () {
  this.timeout(10 * 60_000);
  let server: Server;
  const received: string[] = [];
  let foreign: string;

  before(async () => {
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"success":true,"errors":[],"messages":[],"result":{"id":"t","status":"active"}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    foreign = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('every contributed command: no request to a foreign host, no skipped confirmation, no file written, nothing destructive done', async () => {
    const a = await api();
    // Earlier suites may have configured the gateway's base URL; what counts is that no command changed it.
    const baseUrlBefore = vscode.workspace.getConfiguration('cloudflareWorkflows').inspect<string>('apiBaseUrl');
    const conn = await localConnectionId();
    const token = 'cfwf-hostile-token-0123456789';
    const file = join(mkdtempSync(join(tmpdir(), 'cfwf-hostile-')), 'written.json');
    const fileUri = vscode.Uri.file(file);

    // Victims on the engine: a sleeping instance and one waiting for an event.
    const sleeper = { connectionId: conn, workflow: 'long-sleeper', id: 'hostile-sleeper' };
    const waiter = { connectionId: conn, workflow: 'approval-gate', id: 'hostile-waiter' };
    await truth().createInstance(sleeper.workflow, { id: sleeper.id, params: { minutes: 600 } });
    await truth().createInstance(waiter.workflow, { id: waiter.id });
    await waitFor('victims started', async () => (await truth().getInstance(sleeper.workflow, sleeper.id)).steps.length >= 2 && (await truth().getInstance(waiter.workflow, waiter.id)).steps.some((s) => s.type === 'waitForEvent'));
    const firstStart = (d: InstanceDetails) => {
      const s = d.steps[0];
      return s && 'start' in s ? s.start : undefined;
    };
    const sleeperStart = firstStart(await truth().getInstance(sleeper.workflow, sleeper.id));

    // A cloud connection whose own host is unreachable (port 9 on loopback): only removal is tried on it.
    const cloud = await a.registry.cloud.add({ id: 'cloud:hostile-victim', label: 'Hostile victim', accountId: 'hostile-victim', apiBaseUrl: 'http://127.0.0.1:9/client/v4' }, 'cfwf-victim-token');
    a.registry.fireChanged();

    const forgedNode = (kind: string) => ({ kind, id: 'forged', connection: { kind: 'local', id: `local:${foreign}`, baseUrl: foreign, apiBaseUrl: foreign, label: 'forged' }, name: 'long-sleeper', parent: { kind: 'connection', connection: { id: `local:${foreign}`, baseUrl: foreign } } });
    const flags = { confirmed: true, rollback: true, fromStep: 'nap-1', type: 'decision', payload: { approved: true }, token, apiBaseUrl: foreign, baseUrl: foreign, accountIds: ['hostile'], label: 'pwned', id: 'hostile-new', params: { pwned: true }, noOpen: true };
    const shapes: { name: string; args: (victim: object) => unknown[] }[] = [
      { name: 'a foreign base URL and a token', args: () => [foreign, token] },
      { name: 'an addAccount-style object', args: () => [{ token, apiBaseUrl: foreign, accountIds: ['hostile'], label: 'pwned' }] },
      { name: 'a reference to a connection that does not exist', args: () => [{ connectionId: `local:${foreign}`, workflow: 'long-sleeper', id: 'x', baseUrl: foreign }] },
      { name: 'a forged tree node', args: () => [forgedNode('instance'), [forgedNode('instance')]] },
      { name: 'a forged connection node', args: () => [forgedNode('connection')] },
      { name: 'a victim and every "already decided" flag', args: (v) => [v, flags] },
      { name: 'a victim and bare true', args: (v) => [v, true, true] },
      { name: 'a victim and a file Uri', args: (v) => [v, fileUri, undefined, fileUri] },
      { name: 'a victim and a payload', args: (v) => [v, { type: 'decision', payload: { approved: true } }] },
      { name: 'dot segments', args: () => [{ connectionId: conn, workflow: '..', id: '.' }] },
    ];
    const commands = ((vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands).map((c) => c.command);
    assert.ok(commands.length > 30, `the contributed commands are read from package.json (${commands.length})`);

    const errorsBefore = (await commandErrorList()).length;
    const asked = new Map<string, { prompts: Prompt[]; refused: boolean }>();
    const problems: string[] = [];
    for (const command of commands) {
      // removeConnection's victim is the cloud connection; an instance-less command gets the instance reference anyway.
      const victims: object[] = command === 'cloudflareWorkflows.sendEvent' || command === 'cloudflareWorkflows.sendEventToAll' ? [waiter] : [sleeper, { connectionId: cloud.id }];
      for (const shape of shapes) {
        for (const victim of victims) {
          const args = shape.args(victim);
          const errorsAt = (await commandErrorList()).length;
          const call = answering(() => undefined, () => vscode.commands.executeCommand(command, ...args));
          let guard: ReturnType<typeof setTimeout> | undefined;
          const outcome = await Promise.race([call.then((r) => ({ prompts: r.prompts }), (e: unknown) => ({ thrown: String(e) })), new Promise<{ hung: true }>((r) => (guard = setTimeout(() => r({ hung: true }), CALL_LIMIT_MS)))]);
          clearTimeout(guard);
          if ('hung' in outcome) {
            problems.push(`${command} with ${shape.name} did not end within ${CALL_LIMIT_MS / 1000} s (a prompt the test cannot dismiss?)`);
            await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
            continue;
          }
          const refused = (await commandErrorList()).length > errorsAt;
          if ('prompts' in outcome && shape.name.startsWith('a victim')) asked.set(`${command} | ${shape.name} | ${JSON.stringify(victim)}`, { prompts: outcome.prompts, refused });
        }
      }
      if (received.length > 0) problems.push(`${command} made requests to the foreign host: ${received.join(', ')}`);
      received.length = 0;
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const w of a.watches.list()) await a.watches.remove(w);

    assert.deepEqual(problems, [], problems.join('\n'));
    for (const command of MUST_ASK) {
      for (const [key, { prompts, refused }] of asked) {
        if (!key.startsWith(`${command} |`)) continue;
        assert.ok(prompts.length > 0 || refused, `${key}: asked the user (a modal, a picker or a dialog) or refused, before acting`);
      }
    }
    const terminateTries = [...asked.entries()].filter(([k]) => k.startsWith('cloudflareWorkflows.terminate |') && k.includes(sleeper.id));
    assert.ok(terminateTries.length > 0 && terminateTries.every(([, v]) => v.prompts.some((p) => p.modal)), 'terminate on the sleeper always showed its modal confirmation');
    const removeTries = [...asked.entries()].filter(([k]) => k.startsWith('cloudflareWorkflows.removeConnection |') && k.includes(cloud.id));
    assert.ok(removeTries.length > 0 && removeTries.every(([, v]) => v.prompts.some((p) => p.modal)), 'removing the cloud connection always showed its modal confirmation');
    assert.ok(!existsSync(file), 'no file was written at the Uri given as an argument');
    rmSync(dirname(file), { recursive: true, force: true });

    // Nothing destructive reached the engine, and the cloud connection survived its removal attempts.
    const s = await truth().getInstance(sleeper.workflow, sleeper.id);
    assert.ok(s.status === 'running' || s.status === 'paused', `the sleeper was not terminated (${s.status})`);
    assert.equal(firstStart(s), sleeperStart, 'the sleeper was not restarted');
    const w = await truth().getInstance(waiter.workflow, waiter.id);
    assert.equal(w.status, 'running', 'the waiter was not terminated');
    assert.ok(w.steps.some((x) => x.type === 'waitForEvent' && !x.end), 'the waiter received no event');
    assert.ok(a.registry.get(cloud.id), 'the cloud connection was not removed');
    assert.equal(await a.registry.cloud.getToken(cloud.id), 'cfwf-victim-token', 'nor its token replaced');
    assert.deepEqual(vscode.workspace.getConfiguration('cloudflareWorkflows').inspect<string>('apiBaseUrl'), baseUrlBefore, 'no base URL was stored');
    assert.ok(!(vscode.workspace.getConfiguration('cloudflareWorkflows').get<string[]>('localUrls') ?? []).includes(foreign), 'the foreign URL was not added to localUrls');

    // Refusals are messages written for a user, never a crash on the hostile shape.
    const errors = (await commandErrorList()).slice(errorsBefore);
    const crashes = errors.filter((e) => /Cannot read prop|is not a function|is not iterable|\[object Object\]/.test(e.message));
    assert.deepEqual(crashes, [], crashes.map((e) => `${e.command}: ${e.message}`).join('\n'));
    for (const command of new Set(errors.map((e) => e.command))) expectCommandError(command, /[\s\S]*/);

    await a.registry.cloud.remove(cloud.id);
    a.registry.fireChanged();
    await truth().changeStatus(sleeper.workflow, sleeper.id, 'terminate').catch(() => undefined);
    await truth().changeStatus(waiter.workflow, waiter.id, 'terminate').catch(() => undefined);
  });
});
