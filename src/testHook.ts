// Test mode only (wired by extension.ts when `extensionMode === Test`): records every prompt the
// extension shows and, while a test sets `answer`, answers or dismisses it instead of showing it, so
// an integration test can prove that a command asked (and what) without a human at the dialog.
import * as vscode from 'vscode';

export interface Prompt {
  kind: 'information' | 'warning' | 'error' | 'quickPick' | 'inputBox' | 'saveDialog' | 'openDialog' | 'createQuickPick';
  /** Message, title or placeholder: what the user would read first. */
  message: string;
  modal: boolean;
  /** Buttons or item labels offered (quick picks created empty and filled later have none). */
  choices: string[];
}

/**
 * Returns the button or item label to pick, the text to type (input box), a path (dialogs), or undefined
 * to dismiss; or a promise of one, so that a test can change the world before it "clicks" (the engine
 * state a Retry then meets).
 */
export type PromptAnswer = (p: Prompt) => string | undefined | Promise<string | undefined>;

type Item = string | { title?: string; label?: string };
const labelOf = (i: Item): string => (typeof i === 'string' ? i : (i.title ?? i.label ?? ''));

export class PromptHook implements vscode.Disposable {
  readonly seen: Prompt[] = [];
  answer: PromptAnswer | undefined;
  private readonly restore: (() => void)[] = [];

  constructor(window: typeof vscode.window) {
    const w = window as unknown as Record<string, (...args: never[]) => unknown>;
    const patch = (name: string, make: (real: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown) => {
      const real = w[name] as (...args: unknown[]) => unknown;
      w[name] = make(real.bind(window)) as never;
      this.restore.push(() => (w[name] = real as never));
    };
    for (const [name, kind] of [['showInformationMessage', 'information'], ['showWarningMessage', 'warning'], ['showErrorMessage', 'error']] as const) {
      patch(name, (real) => (...args) => {
        const [message, ...rest] = args as [string, ...unknown[]];
        const options = rest[0] !== null && typeof rest[0] === 'object' && !('title' in rest[0]) ? (rest.shift() as vscode.MessageOptions) : undefined;
        const items = rest as Item[];
        const p: Prompt = { kind, message: [message, options?.detail].filter(Boolean).join('\n'), modal: !!options?.modal, choices: items.map(labelOf) };
        this.seen.push(p);
        if (!this.answer) return real(...args);
        return Promise.resolve(this.answer(p)).then((pick) => items.find((i) => labelOf(i) === pick));
      });
    }
    patch('showQuickPick', (real) => (...args) => {
      if (!this.answer) {
        void Promise.resolve(args[0] as Item[]).then((items) => this.seen.push(quickPickPrompt(items, args[1] as vscode.QuickPickOptions | undefined)));
        return real(...args);
      }
      return Promise.resolve(args[0] as Item[]).then(async (items) => {
        const options = args[1] as vscode.QuickPickOptions | undefined;
        const p = quickPickPrompt(items, options);
        this.seen.push(p);
        const pick = await this.answer?.(p);
        const item = items.find((i) => labelOf(i) === pick);
        return item === undefined ? undefined : options?.canPickMany ? [item] : item;
      });
    });
    patch('showInputBox', (real) => (...args) => {
      const o = (args[0] ?? {}) as vscode.InputBoxOptions;
      const p: Prompt = { kind: 'inputBox', message: o.title ?? o.prompt ?? o.placeHolder ?? '', modal: false, choices: [] };
      this.seen.push(p);
      return this.answer ? Promise.resolve(this.answer(p)) : real(...args);
    });
    for (const [name, kind] of [['showSaveDialog', 'saveDialog'], ['showOpenDialog', 'openDialog']] as const) {
      patch(name, (real) => (...args) => {
        const o = (args[0] ?? {}) as vscode.SaveDialogOptions;
        const p: Prompt = { kind, message: o.title ?? '', modal: true, choices: [] };
        this.seen.push(p);
        if (!this.answer) return real(...args);
        return Promise.resolve(this.answer(p)).then((path) => {
          const uri = path === undefined ? undefined : vscode.Uri.file(path);
          return kind === 'openDialog' && uri ? [uri] : uri;
        });
      });
    }
    patch('createQuickPick', (real) => () => {
      const qp = real() as vscode.QuickPick<vscode.QuickPickItem>;
      const show = qp.show.bind(qp);
      // The accept listeners the command registered, so an answer can be "typed" and accepted.
      const accepts: (() => void)[] = [];
      const onDidAccept = qp.onDidAccept.bind(qp);
      Object.defineProperty(qp, 'onDidAccept', {
        value: (listener: () => void, thisArg?: unknown) => {
          accepts.push(() => listener.call(thisArg));
          return onDidAccept(listener, thisArg);
        },
      });
      qp.show = () => {
        const p: Prompt = { kind: 'createQuickPick', message: qp.title ?? qp.placeholder ?? '', modal: false, choices: qp.items.map((i) => i.label) };
        this.seen.push(p);
        show();
        const answer = this.answer;
        if (!answer) return;
        void Promise.resolve(answer(p)).then(
          (typed) => {
            // Undefined dismisses (items may still be loading); text is typed into the box and accepted.
            if (typed === undefined) qp.hide();
            else {
              qp.value = typed;
              for (const a of accepts) a();
              // Nothing matched (a step takes only its rows, or the text was empty): a user would
              // press Escape next; the command must end, not wait for the test's time-out.
              if (qp.enabled) qp.hide();
            }
          },
          (e: unknown) => {
            // A test's answer that failed dismisses the prompt instead of leaving the command waiting.
            console.error('test prompt answer failed', e);
            qp.hide();
          },
        );
      };
      return qp;
    });
  }

  dispose(): void {
    for (const r of this.restore.splice(0)) r();
  }
}

function quickPickPrompt(items: Item[], options: vscode.QuickPickOptions | undefined): Prompt {
  return { kind: 'quickPick', message: options?.title ?? options?.placeHolder ?? '', modal: false, choices: items.map(labelOf) };
}
