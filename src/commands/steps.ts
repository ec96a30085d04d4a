// The quick inputs of one command run (connection → workflow → instance → event type…), shown one
// after another without a gap. When a quick input hides, VS Code hands the focus back to the editor,
// and an open instance panel's frame takes it a few milliseconds later: after the next step's quick
// input is already shown, which then loses the focus and closes (caught by the UI tests' focus
// record). So an accepted step stays up, busy, until the next quick input replaces it (VS Code swaps
// one for another without hiding) or the run ends.
import * as vscode from 'vscode';

export interface PickStep<T extends vscode.QuickPickItem> {
  title: string;
  placeholder?: string;
  /** The rows, or a loader: the step shows at once, busy, and fills when the rows arrive. */
  items: readonly T[] | (() => Promise<readonly T[]>);
  /** What free text means when no row is selected (an instance id, an event type); none: only rows. */
  typed?: (value: string) => T | undefined;
}

export class QuickSteps implements vscode.Disposable {
  private last: vscode.QuickInput | undefined;
  private ended = false;

  /** The row (or typed value) accepted; undefined when the user dismissed the step. */
  pick<T extends vscode.QuickPickItem>(step: PickStep<T>): Promise<T | undefined> {
    // A step after the run ended would stay up with nobody to close it.
    if (this.ended) throw new Error('A quick-input step was asked for after its command ended.');
    const qp = vscode.window.createQuickPick<T>();
    let accepted = false;
    // eslint-disable-next-line local/untrusted-text -- checked where pick() is called (the rule reads pick's title and items)
    qp.title = step.title;
    qp.placeholder = step.placeholder;
    // Kept open when the focus leaves: the palette that ran the command hides just before the first
    // step shows, and the focus it hands back can land after (GitLens keeps its multi-step pickers
    // open on focus-out by default too).
    qp.ignoreFocusOut = true;
    const chosen = new Promise<T | undefined>((resolve, reject) => {
      qp.onDidAccept(() => {
        const value = qp.value.trim();
        const item = qp.selectedItems[0] ?? qp.items.find((i) => i.label === value) ?? (value ? step.typed?.(value) : undefined);
        if (!item) return;
        accepted = true;
        qp.busy = true;
        qp.enabled = false;
        resolve(item);
      });
      qp.onDidHide(() => resolve(undefined));
      if (typeof step.items === 'function') {
        qp.busy = true;
        step.items().then(
          (items) => {
            // Rows that arrive after the user typed and accepted change nothing.
            if (accepted) return;
            qp.items = items;
            qp.busy = false;
          },
          (e: unknown) => {
            if (accepted) return;
            reject(e);
            qp.hide();
          },
        );
      } else qp.items = step.items;
    });
    this.show(qp);
    return chosen;
  }

  /**
   * Shows a modal message or a save dialog once the last step is closed: a dialog is not a quick
   * input, so it would not replace the busy step, which would stay up behind it and after it. The
   * lint rule local/dialog-after-steps makes commands show their dialogs through here.
   */
  async dialog<T>(show: () => Thenable<T>): Promise<T> {
    this.close();
    return show();
  }

  /** Hides the last step now (after a file dialog that replaced it in the browser). */
  close(): void {
    this.last?.dispose();
    this.last = undefined;
  }

  dispose(): void {
    this.ended = true;
    this.close();
  }

  private show(next: vscode.QuickInput): void {
    // Shown before the previous one goes, so that no hide (and no focus hand-back) comes between.
    next.show();
    this.last?.dispose();
    this.last = next;
  }
}
