// undici is about 530 KB minified — more than the rest of the extension together. The extension
// bundle maps it to dist/http.js (see esbuild.mjs), which this loads on the first request, so
// activation never pays for it. Tests and benchmarks resolve the package as usual.
import type * as Undici from 'undici';

// The loaded module itself, set once: a cache of an import, not state anything could share by accident.
// eslint-disable-next-line state/no-module-state
let lib: typeof Undici | undefined;

export function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose, see above
  lib ??= require('undici') as typeof Undici;
  return lib;
}
