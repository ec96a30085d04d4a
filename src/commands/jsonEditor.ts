// JSON input in a real editor: an untitled JSON document with live diagnostics (parse errors,
// > 1 MiB), and a modal to accept. Bad JSON never reaches a backend.
import * as vscode from 'vscode';
import { forNotification } from '../model/display';
import { parseJsonText } from '../model/validation';
import { Cancelled, type CommandContext } from './context';

export function diagnose(doc: vscode.TextDocument, what: string): vscode.Diagnostic[] {
  const parsed = parseJsonText(doc.getText(), what);
  if (!('error' in parsed)) return [];
  const pos = /position (\d+)/.exec(parsed.error);
  const at = doc.positionAt(pos ? Number(pos[1]) : 0);
  return [new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), parsed.error, vscode.DiagnosticSeverity.Error)];
}

/** Opens an untitled JSON editor and resolves with the parsed value once the user accepts. */
export async function editJson(_ctx: CommandContext, opts: { title: string; initial: string; what: string; acceptLabel: string }): Promise<unknown> {
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: opts.initial });
  await vscode.window.showTextDocument(doc, { preview: false });
  // One collection per editing session, disposed with it (a module-level one outlived its activation).
  const coll = vscode.languages.createDiagnosticCollection('cloudflareWorkflows.json');
  const update = () => coll.set(doc.uri, diagnose(doc, opts.what));
  update();
  const sub = vscode.workspace.onDidChangeTextDocument((e) => e.document === doc && update());
  // Closing the editor cancels; the notification (not modal, so the editor stays usable) accepts.
  let closeSub: vscode.Disposable | undefined;
  const closed = new Promise<undefined>((resolve) => {
    closeSub = vscode.workspace.onDidCloseTextDocument((d) => d === doc && resolve(undefined));
  });
  try {
    for (;;) {
      const ask = vscode.window.showInformationMessage(forNotification(`${opts.title}: edit the JSON in the editor, then choose "${opts.acceptLabel}".`, 400), opts.acceptLabel, 'Cancel');
      const pick = await Promise.race([ask, closed]);
      if (pick !== opts.acceptLabel) throw new Cancelled();
      const parsed = parseJsonText(doc.getText(), opts.what);
      if (!('error' in parsed)) return parsed.value;
      update();
      void vscode.window.showErrorMessage(forNotification(parsed.error));
    }
  } finally {
    sub.dispose();
    closeSub?.dispose();
    coll.dispose();
  }
}
