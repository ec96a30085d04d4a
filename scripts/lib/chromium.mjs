// The Chromium the UI tests, the webview harness, the benchmarks and `npm start`'s browser check use.
// CHROMIUM_PATH (a Chromium the user points at) wins; otherwise the one the npm package
// @sparticuz/chromium ships inside itself (bin/chromium.br: chrome-headless-shell, brotli-compressed,
// with bin/swiftshader.tar.br and bin/fonts.tar.br beside it; see its build/index.js and
// build/lambdafs.js). Its own executablePath() unpacks into the shared /tmp/chromium and trusts whatever
// is there, whatever its version; we unpack the same files with its exported inflate() into a folder
// named after the package version under .cache/, staged and renamed so that a concurrent run never
// sees a half-written binary. Nothing is downloaded: the files are in node_modules.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// createRequire, not import.meta.resolve: the TypeScript tests load this file through tsx as CommonJS.
const resolveHere = createRequire(import.meta.url).resolve;

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function packageDir() {
  return join(dirname(resolveHere('@sparticuz/chromium')), '..');
}

/** Folder the npm-shipped Chromium is unpacked into (version-named, so an upgrade unpacks afresh). */
export function bundledChromiumDir() {
  const { version } = JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8'));
  return join(root, '.cache', `chromium-${version}`);
}

async function unpack(dir) {
  const { inflate } = await import('@sparticuz/chromium');
  const bin = join(packageDir(), 'bin');
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // inflate() writes to os.tmpdir(), read synchronously when it is called: point it at our staging
  // folder for exactly those calls.
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  let pending;
  try {
    // al2023.tar.br: the NSS/NSPR/expat libraries the binary links against, so that it does not
    // depend on the system having them (see chromiumEnv()).
    pending = ['chromium.br', 'swiftshader.tar.br', 'fonts.tar.br', 'al2023.tar.br'].map((f) => inflate(join(bin, f)));
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  await Promise.all(pending);
  writeFileSync(join(staging, '.complete'), '');
  if (existsSync(join(dir, '.complete'))) {
    rmSync(staging, { recursive: true, force: true });
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (e) {
    // Another run renamed its copy first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, '.complete'))) throw e;
  }
}

/**
 * fontconfig for the shipped Chromium: its own Open Sans plus the fonts from npm, and the generic
 * families (no system conf.d here to define them), so that `monospace` (VS Code's editor) is a
 * monospaced font.
 */
function fontsConf(dir) {
  const dirs = [join(dir, 'fonts'), ...extraFontDirs()];
  const alias = (generic, family) => `  <alias><family>${generic}</family><prefer><family>${family}</family></prefer></alias>\n`;
  return `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n${dirs.map((d) => `  <dir>${d}</dir>\n`).join('')}`
    + alias('sans-serif', 'Open Sans') + alias('serif', 'Open Sans') + alias('monospace', 'Roboto Mono')
    + `  <cachedir>${join(dir, 'fontcache')}</cachedir>\n</fontconfig>\n`;
}

/** (Re)writes fonts.conf when this file's idea of it changed since the unpack; atomic for concurrent runs. */
function writeFontsConf(dir) {
  const path = join(dir, 'fonts.conf');
  const text = fontsConf(dir);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  const tmp = `${path}.${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

// The shipped Chromium carries only Open Sans, so CJK and emoji would not render at all. These npm
// packages carry Google Fonts' TTFs inside them (one folder per weight, see each package's
// metadata.json); fontconfig reads TTF (not the WOFF2 most font packages ship). Noto Sans SC covers
// Han and kana, Noto Sans KR Hangul, Noto Color Emoji the emoji (CBDT colour bitmaps), Roboto Mono
// is the monospace.
const FONT_DIRS = [
  ['@expo-google-fonts/noto-sans-sc', ['400Regular', '700Bold']],
  ['@expo-google-fonts/noto-sans-kr', ['400Regular', '700Bold']],
  ['@expo-google-fonts/noto-color-emoji', ['400Regular']],
  ['@expo-google-fonts/roboto-mono', ['400Regular', '700Bold']],
];

function extraFontDirs() {
  return FONT_DIRS.flatMap(([pkg, weights]) => {
    const dir = dirname(resolveHere(pkg));
    return weights.map((w) => join(dir, w));
  });
}

/** Absolute path of the Chromium to launch: CHROMIUM_PATH, else the npm-shipped one (unpacked once). */
export async function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const dir = bundledChromiumDir();
  if (!existsSync(join(dir, '.complete'))) await unpack(dir);
  writeFontsConf(dir);
  return join(dir, 'chromium');
}

/** Environment for launching chromiumPath(): the shipped Chromium's fonts and libraries. */
export function chromiumEnv() {
  if (process.env.CHROMIUM_PATH) return { ...process.env };
  const dir = bundledChromiumDir();
  const libs = [join(dir, 'al2023', 'lib'), ...(process.env.LD_LIBRARY_PATH ? [process.env.LD_LIBRARY_PATH] : [])];
  return { ...process.env, FONTCONFIG_FILE: join(dir, 'fonts.conf'), LD_LIBRARY_PATH: libs.join(':') };
}

/** Headless Chromium through playwright-core (never a browser download). */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import('playwright-core');
  const executablePath = await chromiumPath();
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], env: chromiumEnv() });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  chromiumPath().then((p) => console.log(p));
}
