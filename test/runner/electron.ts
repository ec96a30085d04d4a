// `npm run test:electron`: the same integration suite under @vscode/test-electron, for machines that
// can download VS Code (not these: it needs the internet, so it is not part of `npm test`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { fixtureDir, startEngine } from '../../scripts/lib/engine.mjs';
import { seed } from '../../scripts/lib/seed.mjs';
import { root } from './realHost';

async function main(): Promise<void> {
  const engine = await startEngine({ port: 8787 });
  try {
    await seed(engine.apiBase);
    mkdirSync(join(root, 'test-results'), { recursive: true });
    const results = join(root, 'test-results', 'electron.jsonl');
    writeFileSync(results, '');
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [fixtureDir, '--disable-workspace-trust'],
      extensionTestsEnv: { CFWF_ENGINE_URL: engine.baseUrl, CFWF_ENGINE_API: engine.apiBase, CFWF_RESULTS: results },
    });
  } finally {
    await engine.stop();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
