// Stand-alone demo: `npx tsx test/ui/webview-harness/serve.ts` serves the instance view with sample
// data on 127.0.0.1 until interrupted. Handy for working on the UI without VS Code.
import { bulkInstance, instanceMessage, orderPipeline, runningInstance, TARGET } from './scenarios';
import { startHarness } from './server';

async function main(): Promise<void> {
  const harness = await startHarness();
  harness.setScenario('demo', [{ type: 'init', target: TARGET }, instanceMessage(orderPipeline())]);
  harness.setScenario('running', [{ type: 'init', target: TARGET }, instanceMessage(runningInstance())]);
  harness.setScenario('bulk', [{ type: 'init', target: TARGET }, instanceMessage(bulkInstance(10_000))]);
  console.log(`bundle: ${harness.bundleBytes.js} B js, ${harness.bundleBytes.css} B css`);
  for (const scenario of ['demo', 'running', 'bulk']) {
    for (const theme of ['dark', 'light', 'high-contrast'] as const) console.log(`${scenario} (${theme}): ${harness.pageUrl({ scenario, theme })}`);
  }
}

void main();
