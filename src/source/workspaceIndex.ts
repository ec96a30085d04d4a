// Where the workspace's Workflow classes and their step calls are: wrangler configs → bindings →
// classes that extend WorkflowEntrypoint → step.do/sleep/sleepUntil/waitForEvent calls. Files are
// parsed on open and on save (never per keystroke), and the parsing is a small scanner, not a compiler.
import * as vscode from 'vscode';
import { findStepCalls, findWorkflowClasses, type StepCall } from '../model/stepCalls';
import { parseWranglerConfig, type WorkflowBinding } from '../model/wranglerConfig';

export interface IndexedClass {
  workflow: string;
  className: string;
  uri: vscode.Uri;
  line: number;
  character: number;
  steps: StepCall[];
}

const SOURCE_GLOB = '**/*.{ts,mts,cts,js,mjs,cjs,tsx,jsx}';
const EXCLUDE = '**/{node_modules,dist,out,.wrangler,.vscode-test}/**';

export class WorkspaceIndex implements vscode.Disposable {
  private bindings: WorkflowBinding[] = [];
  private readonly classes = new Map<string, IndexedClass[]>(); // uri → classes in that file
  private ready: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (/wrangler\.(json|jsonc|toml)$/.test(doc.fileName)) this.invalidate();
        else if (/\.(m|c)?[jt]sx?$/.test(doc.fileName)) {
          this.indexFile(doc.uri, doc.getText());
          this.changed.fire();
        }
      }),
      vscode.workspace.onDidCreateFiles(() => this.invalidate()),
      vscode.workspace.onDidDeleteFiles(() => this.invalidate()),
    );
  }

  private invalidate(): void {
    this.ready = undefined;
    this.changed.fire();
  }

  /** Builds the index once (lazily) and returns it. */
  async ensure(): Promise<void> {
    this.ready ??= this.build();
    return this.ready;
  }

  private async build(): Promise<void> {
    const configs = await vscode.workspace.findFiles('**/wrangler.{json,jsonc,toml}', EXCLUDE, 50);
    const bindings: WorkflowBinding[] = [];
    for (const uri of configs) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      bindings.push(...parseWranglerConfig(uri.path, text).workflows);
    }
    this.bindings = bindings;
    this.classes.clear();
    if (bindings.length === 0) return;
    const files = await vscode.workspace.findFiles(SOURCE_GLOB, EXCLUDE, 2000);
    for (const uri of files) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const text = open?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (text.includes('WorkflowEntrypoint')) this.indexFile(uri, text);
    }
  }

  /** Indexes one file's classes and their step calls (only calls inside a class's body count). */
  indexFile(uri: vscode.Uri, text: string): IndexedClass[] {
    const found: IndexedClass[] = [];
    if (text.includes('WorkflowEntrypoint')) {
      for (const c of findWorkflowClasses(text)) {
        const binding = this.bindings.find((b) => b.className === c.className);
        if (!binding) continue;
        // The step object is run()'s second parameter, whatever it is called.
        const receiver = /\brun\s*\(\s*[\w$]+[^,)]*,\s*([\w$]+)/.exec(text.slice(c.start, c.end))?.[1];
        const calls = findStepCalls(text, receiver ? new Set([receiver, 'step']) : undefined);
        const inside = calls.filter((s) => s.nameStart > c.start && s.nameStart < c.end);
        found.push({ workflow: binding.name, className: c.className, uri, line: c.line, character: c.character, steps: inside });
      }
    }
    if (found.length) this.classes.set(uri.toString(), found);
    else this.classes.delete(uri.toString());
    return found;
  }

  classesIn(uri: vscode.Uri): IndexedClass[] {
    return this.classes.get(uri.toString()) ?? [];
  }

  classFor(workflow: string): IndexedClass | undefined {
    for (const list of this.classes.values()) {
      const hit = list.find((c) => c.workflow === workflow);
      if (hit) return hit;
    }
    return undefined;
  }

  workflows(): WorkflowBinding[] {
    return this.bindings;
  }

  /** The step call an engine step name came from, in the class of that workflow (or anywhere). */
  findStep(workflow: string | undefined, baseName: string): { uri: vscode.Uri; call: StepCall } | undefined {
    const lists = [...this.classes.values()].flat();
    const ordered = workflow ? [...lists.filter((c) => c.workflow === workflow), ...lists.filter((c) => c.workflow !== workflow)] : lists;
    for (const c of ordered) {
      const call = c.steps.find((s) => s.name === baseName);
      if (call) return { uri: c.uri, call };
    }
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
