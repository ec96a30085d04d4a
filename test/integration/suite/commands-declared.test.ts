// Every command declared in package.json is registered, and every registered one is declared.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from '../helpers';

describe('Command declarations', () => {
  it('declared and registered commands match exactly', async () => {
    const a = await api();
    const declared: string[] = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const all = await vscode.commands.getCommands(true);
    const missing = declared.filter((id) => !all.includes(id));
    assert.deepEqual(missing, [], 'declared but not registered');
    const undeclared = [...a.registeredCommands].filter((id) => !declared.includes(id));
    assert.deepEqual(undeclared, [], 'registered but not declared');
    assert.equal(declared.length, new Set(declared).size, 'no duplicates');
  });

  it('hides internal commands from the palette', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const hidden = pkg.contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'false').map((m: { command: string }) => m.command);
    assert.ok(hidden.includes('cloudflareWorkflows.loadMore'));
    assert.ok(hidden.includes('cloudflareWorkflows.showNewInstances'));
  });
});
