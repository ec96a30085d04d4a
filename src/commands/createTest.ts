// "Create Test from Instance…": writes a Vitest file that replays the recorded run in the user's Workers
// project (model/replayTest.ts writes it). Accepts only a tree node or an {connectionId, workflow, id}
// reference of an existing connection; asks before writing anything; adds no dependency.
import * as vscode from 'vscode';
import type { WorkflowsBackend } from '../api';
import { forModalDetail, forNotification, forQuickPickLabel } from '../model/display';
import { generateReplayTest, replayTestFileName } from '../model/replayTest';
import type { DoStep, InstanceDetails } from '../model/types';
import { parseWranglerConfig } from '../model/wranglerConfig';
import { backendFor, Cancelled, type CommandContext, must, resolveInstances } from './context';
import type { QuickSteps } from './steps';

/** At most this many full-output requests per test (each is one API call against the rate budget). */
const MAX_OUTPUT_FETCHES = 100;
const TEST_PACKAGES = ['@cloudflare/vitest-pool-workers', '@cloudflare/vitest-plugin'];
const EXCLUDE = '**/{node_modules,dist,out,.wrangler,.vscode-test}/**';

interface Project {
  dir: vscode.Uri;
  binding: string;
}

/** Fetches untruncated outputs where the backend's detail may truncate them (cloud logs). */
async function fullOutputs(backend: WorkflowsBackend, d: InstanceDetails, notes: string[], token: vscode.CancellationToken): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  // The local engine's detail carries whole outputs; only the cloud's logs cut them.
  if (backend.kind !== 'cloud' || !backend.capabilities.stepOutput) return out;
  const wanted = d.steps.filter((s): s is DoStep => s.type === 'step' && s.success === true);
  if (wanted.length > MAX_OUTPUT_FETCHES) notes.push(`Only the first ${MAX_OUTPUT_FETCHES} of ${wanted.length} step outputs were fetched in full; the others are as recorded in the instance's log.`);
  for (const s of wanted.slice(0, MAX_OUTPUT_FETCHES)) {
    if (token.isCancellationRequested) throw new Cancelled();
    const r = await backend.getStepOutput(d.workflow, d.id, { stepName: s.name, type: 'step' });
    out.set(s.name, r.output);
  }
  return out;
}

/** The Workers project (folder of a wrangler config) that binds this Workflow, and its binding name. */
async function findProject(workflow: string): Promise<Project | undefined> {
  const configs = await vscode.workspace.findFiles('**/wrangler.{json,jsonc,toml}', EXCLUDE, 50);
  const found: Project[] = [];
  for (const uri of configs) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const w = parseWranglerConfig(uri.path, text).workflows.find((b) => b.name === workflow && b.binding && !b.scriptName);
    if (w?.binding) found.push({ dir: vscode.Uri.joinPath(uri, '..'), binding: w.binding });
  }
  if (found.length <= 1) return found[0];
  const pick = await vscode.window.showQuickPick(
    found.map((p) => ({ label: forQuickPickLabel(vscode.workspace.asRelativePath(p.dir)), p })),
    { title: 'Several Workers projects bind this Workflow: which one is the test for?' },
  );
  return must(pick).p;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** `<project>/test` or `<project>/tests` when the project has one; undefined when unsure. */
async function testsFolder(project: vscode.Uri): Promise<vscode.Uri | undefined> {
  for (const name of ['test', 'tests']) {
    const dir = vscode.Uri.joinPath(project, name);
    if (await exists(dir)) return dir;
  }
  return undefined;
}

/** Which test packages the project's package.json lists (none added: the user decides). */
async function missingSetup(project: vscode.Uri): Promise<string[]> {
  const missing: string[] = [];
  let pkg: Record<string, unknown> = {};
  try {
    pkg = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(project, 'package.json')))) as Record<string, unknown>;
  } catch {
    /* no package.json in the project folder: maybe a monorepo root has it; say what to check */
  }
  const deps = { ...(pkg.dependencies as object | undefined), ...(pkg.devDependencies as object | undefined) };
  if (!TEST_PACKAGES.some((p) => p in deps)) missing.push('@cloudflare/vitest-pool-workers is not in the project\'s package.json (npm install -D @cloudflare/vitest-pool-workers vitest)');
  const configs = await vscode.workspace.findFiles(new vscode.RelativePattern(project, 'vitest.config.{ts,mts,js,mjs,cts,cjs}'), EXCLUDE, 1);
  if (configs.length === 0) missing.push('no vitest.config in the project: the test needs one that uses the Workers pool (cloudflareTest)');
  return missing;
}

async function chooseTarget(steps: QuickSteps, project: Project | undefined, fileName: string): Promise<vscode.Uri> {
  const tests = project ? await testsFolder(project.dir) : undefined;
  if (tests) {
    const target = vscode.Uri.joinPath(tests, fileName);
    const replace = await exists(target);
    const write = replace ? 'Replace' : 'Write Test';
    const other = 'Choose Another Location…';
    const answer = await steps.dialog(() =>
      vscode.window.showInformationMessage(
        replace ? 'Replace the existing replay test?' : 'Write the replay test next to the project\'s tests?',
        { modal: true, detail: forModalDetail(vscode.workspace.asRelativePath(target)) },
        write,
        other,
      ),
    );
    if (answer === write) return target;
    if (answer !== other) throw new Cancelled();
  }
  // Unsure where the tests go (or the user wants elsewhere): the save dialog decides, never an argument.
  const base = tests ?? project?.dir ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  return must(await steps.dialog(() => vscode.window.showSaveDialog({ title: 'Save the replay test', defaultUri: base ? vscode.Uri.joinPath(base, fileName) : undefined, filters: { TypeScript: ['ts'] } })));
}

export async function createTestFromInstance(ctx: CommandContext, ...args: unknown[]): Promise<vscode.Uri | undefined> {
  // One instance only: a multi-selection would mean many files and many questions.
  const [t] = await resolveInstances(ctx, args.slice(0, 1));
  const backend = await backendFor(ctx, t.connectionId);
  const notes: string[] = [];
  const { details, outputs } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Reading the recorded run…', cancellable: true },
    async (_p, token) => {
      const d = await backend.getInstance(t.workflow, t.id);
      return { details: d, outputs: await fullOutputs(backend, d, notes, token) };
    },
  );
  const project = await findProject(t.workflow);
  let binding = project?.binding;
  if (!binding) {
    binding = must(
      await vscode.window.showInputBox({
        title: 'No wrangler config in the workspace binds this Workflow: its binding name in your Worker (env.…)?',
        validateInput: (v) => (/^[A-Za-z_$][\w$]*$/.test(v) ? undefined : 'A binding name is an identifier, like MY_WORKFLOW.'),
      }),
    );
  }
  const test = generateReplayTest({ binding, instance: details, fullOutputs: outputs });
  notes.push(...test.notes);
  const target = await chooseTarget(ctx.steps, project, replayTestFileName(t.workflow, t.id));
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(test.code));
  ctx.log.info(`Wrote a replay test of ${t.workflow}/${t.id} to ${target.fsPath}${notes.length ? `; not reproduced: ${notes.join(' | ')}` : ''}`);
  const setup = project ? await missingSetup(project.dir) : [];
  await vscode.window.showTextDocument(target, { preview: false });
  // Missing setup first: without it the test cannot run at all.
  const open = [...setup.map((x) => `Setup: ${x}`), ...notes];
  if (open.length > 0) {
    for (const n of setup) ctx.log.warn(`Replay test setup: ${n}`);
    const more = open.length > 1 ? ` (+${open.length - 1} more in the log)` : '';
    void vscode.window.showWarningMessage(forNotification(`Replay test written. ${open[0]}${more}`), 'Show Log').then((a) => {
      if (a) void vscode.commands.executeCommand('cloudflareWorkflows.showLog');
    });
  } else {
    void vscode.window.showInformationMessage(forNotification(`Replay test written: ${test.steps.length} steps, run it with vitest.`));
  }
  return target;
}
