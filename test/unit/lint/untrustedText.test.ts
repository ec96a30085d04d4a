import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import rule from '../../../eslint-rules/untrusted-text.mjs';

// RuleTester reports through mocha's describe/it.
RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

const unsafe = (code: string) => ({ code, errors: [{ messageId: 'unsafe' }] });

tester.run('untrusted-text', rule, {
  valid: [
    "vscode.window.showInformationMessage('Nothing to do.');",
    'vscode.window.showErrorMessage(forNotification(`Cloudflare Workflows: ${e.message}`));',
    'vscode.window.showWarningMessage(forNotification(`Delete ${id}?`), { modal: true, detail: forModalDetail(error) }, "Delete");',
    'const text = forNotification(msg); vscode.window.showInformationMessage(text);',
    'vscode.window.showQuickPick(steps.map((s) => ({ label: forQuickPickLabel(s.name), description: forQuickPickDescription(s.type) })), { title: forQuickPickTitle(`Restart ${id}`) });',
    "vscode.window.showQuickPick([{ label: '$(debug-restart) From the beginning', description: 'every step runs again' }]);",
    'new vscode.TreeItem(forTreeLabel(i.id));',
    'new vscode.TreeItem(STATUS_LABELS[node.status]);',
    'item.description = forTreeDescription([a, b].join(" · "));',
    'item.text = `$(type-hierarchy-sub) ${forStatusBar(running)}`;',
    'class P { title(t) { return forPanelTitle(t.id); } open(panel, t) { panel.title = this.title(t); } }',
    'function tip(i) { const md = new vscode.MarkdownString(undefined, false); md.appendMarkdown(`**${forMarkdown(i.id)}**`); return md; } item.tooltip = tip(i);',
    'items.push({ label: forQuickPickLabel(waiting), type: waiting });',
  ],
  invalid: [
    unsafe('vscode.window.showInformationMessage(`Cloudflare Workflows: ${text}`);'),
    unsafe('vscode.window.showErrorMessage("Failed: " + e.message);'),
    unsafe('vscode.window.showWarningMessage(message);'),
    unsafe('vscode.window.showWarningMessage("Delete?", { modal: true, detail: `${f.id}: ${f.message}` });'),
    unsafe('vscode.window.showQuickPick(steps.map((s) => ({ label: s.name })));'),
    unsafe('vscode.window.showQuickPick(list.map((w) => ({ label: forQuickPickLabel(w.name), description: w.className })));'),
    unsafe('items.push({ label: r.type, description: "recent" });'),
    unsafe('qp.items = page.instances.map((i) => ({ label: forQuickPickLabel(i.id), detail: i.createdOn }));'),
    unsafe('new vscode.TreeItem(i.id, 0);'),
    unsafe('item.description = node.action.title;'),
    unsafe('panel.title = target.id;'),
    unsafe('vscode.window.createWebviewPanel("x", `${target.workflow} / ${target.id}`, 1);'),
    unsafe('this.item.text = `$(error) ${errored}`;'),
    unsafe('this.item.tooltip = `Errors: ${count}`;'),
    unsafe('md.appendMarkdown(`Error: ${details.error.message}`);'),
    unsafe('let t = forNotification(x); t = raw; vscode.window.showInformationMessage(t);'),
  ],
});

tester.run('untrusted-text (QuickSteps.pick, which shows its title, placeholder and items as showQuickPick does)', rule, {
  valid: ['ctx.steps.pick({ title: forQuickPickTitle(`Workflows in ${c.label}`), placeholder: "Pick a workflow", items: ws.map((w) => ({ label: forQuickPickLabel(w.name), name: w.name })) });'],
  invalid: [
    unsafe('ctx.steps.pick({ title: `Workflows in ${c.label}`, items: [] });'),
    unsafe('ctx.steps.pick({ title: "Pick", placeholder: c.label, items: [] });'),
    unsafe('ctx.steps.pick({ title: "Pick", items: async () => (await list()).map((i) => ({ label: i.id })) });'),
    unsafe('const step = { title: c.label, items: [] }; ctx.steps.pick(step);'),
  ],
});

tester.run('untrusted-text (status bar messages and progress titles)', rule, {
  valid: ['vscode.window.setStatusBarMessage(forStatusBar(`Copied ${t.id}`), 2000);', 'vscode.window.withProgress({ location: 15, title: "Verifying…" }, f);'],
  invalid: [unsafe('vscode.window.setStatusBarMessage(`Watching ${workflow} for errors.`, 3000);'), unsafe('vscode.window.withProgress({ location: 15, title: `Diagnosing ${conn.label}…` }, f);')],
});
