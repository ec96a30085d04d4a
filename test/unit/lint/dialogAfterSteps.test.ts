import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import rule from '../../../eslint-rules/dialog-after-steps.mjs';

// RuleTester reports through mocha's describe/it.
RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

tester.run('dialog-after-steps', rule, {
  valid: [
    "await ctx.steps.dialog(() => vscode.window.showWarningMessage('Delete?', { modal: true }, 'Delete'));",
    "await steps.dialog(() => vscode.window.showSaveDialog({ title: 'Export' }));",
    "await ctx.steps.dialog(async () => { const x = 1; return vscode.window.showInformationMessage('Import?', { modal: true }, 'Import'); });",
    // Not modal: a toast, which no quick input hides.
    "void vscode.window.showWarningMessage('3 failed', { detail: 'x' }, 'Show Log');",
    "void vscode.window.showInformationMessage('Done.');",
    // The open dialog is a quick input in the browser: left to the command (see the rule's header).
    "await vscode.window.showOpenDialog({ canSelectMany: false });",
  ],
  invalid: [
    { code: "await vscode.window.showWarningMessage('Delete?', { modal: true }, 'Delete');", errors: 1 },
    { code: "await vscode.window.showInformationMessage('Import?', { modal: true, detail: 'd' }, 'Import');", errors: 1 },
    { code: "await vscode.window.showSaveDialog({ title: 'Export' });", errors: 1 },
    { code: "await window.showErrorMessage('Broken', { modal: true });", errors: 1 },
    // Another object's dialog() does not close the steps.
    { code: "await panel.dialog(() => vscode.window.showWarningMessage('Delete?', { modal: true }, 'Delete'));", errors: 1 },
    // A function merely defined inside the call, not passed to it.
    { code: "await ctx.steps.dialog(make(() => vscode.window.showSaveDialog({})));", errors: 1 },
  ],
});
