// Helpers the UI suites share: waiting on a condition, and keeping a failed flow's evidence (a
// screenshot of the workbench at that moment and the extension's log) in test-results/ui/.
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, type RealHost } from '../runner/realHost';
import { Workbench } from './pages/workbench';

export { until } from './wait';

export const shots = process.env.UPDATE_SCREENSHOTS ? join(root, 'docs', 'screenshots') : join(root, 'test-results', 'screenshots');
export const evidence = join(root, 'test-results', 'ui');

export function findFiles(dir: string, pred: (f: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) findFiles(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

/** Keeps the workbench as the failure left it, before later flows change it. */
export async function keepEvidence(rh: RealHost, title: string | undefined): Promise<void> {
  mkdirSync(evidence, { recursive: true });
  const name = (title ?? 'test').replace(/[^\w]+/g, '-');
  await rh.page.screenshot({ path: join(evidence, `${name}.png`) }).catch(() => undefined);
  for (const log of findFiles(rh.stateDir, (f) => f.endsWith('Cloudflare Workflows.log'))) cpSync(log, join(evidence, `${name}.extension.log`));
  const focus = await new Workbench(rh.page).focusLog();
  writeFileSync(join(evidence, `${name}.focus.txt`), focus.join('\n') + '\n');
  // The last moves of the focus, in the run's own output (CI keeps no files).
  console.log(focus.slice(-15).map((l) => `      focus: ${l}`).join('\n'));
  console.log(`    evidence kept in test-results/ui/${name}.*`);
}
