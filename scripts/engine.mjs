// `npm run engine [-- --worker <dir>] [--legacy] [--port N]`: start wrangler dev and keep it running.
import { startEngine } from './lib/engine.mjs';
import { seed } from './lib/seed.mjs';
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const engine = await startEngine({ workerDir: arg('--worker'), wrangler: process.argv.includes('--legacy') ? 'legacy' : 'current', port: arg('--port') ? Number(arg('--port')) : undefined });
console.log(`Local Workflows engine (wrangler ${engine.wranglerVersion}) at ${engine.baseUrl}\nAPI: ${engine.apiBase}`);
if (process.argv.includes('--seed')) console.log(await seed(engine.apiBase));
console.log('Ctrl+C to stop.');
process.on('SIGINT', async () => { await engine.stop(); process.exit(0); });
setInterval(() => {}, 1 << 30);
