// `npm run seed -- <api base>`: seed a running engine (e.g. http://127.0.0.1:8787/cdn-cgi/local/explorer/api).
import { seed } from './lib/seed.mjs';
const base = process.argv[2];
if (!base) { console.error('usage: npm run seed -- <local explorer api base URL>'); process.exit(2); }
console.log(await seed(base));
