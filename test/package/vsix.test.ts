// The packed .vsix holds only what runs: bundles, media, README, CHANGELOG, LICENSE, package.json.
// Reads the real archive's central directory (no unzip dependency).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function zipEntries(file: string): string[] {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'a zip end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

describe('Packaged .vsix', () => {
  const vsix = join(__dirname, '..', '..', 'dist-vsix', 'cloudflare-workflows.vsix');
  const files = zipEntries(vsix).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));

  it('contains exactly the shipped files', () => {
    assert.deepEqual(files.sort(), [
      'changelog.md',
      'LICENSE.txt',
      'dist/codicons/codicon.css',
      'dist/codicons/codicon.ttf',
      'dist/extension.js',
      'dist/http.js',
      'dist/webview.css',
      'dist/webview.js',
      'media/icon.png',
      'media/workflows.svg',
      'package.json',
      'readme.md',
    ].sort());
  });

  it('ships no sources, tests, node_modules or source maps', () => {
    assert.ok(!files.some((f) => /^(src|test|node_modules|scripts)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts')), files.join(', '));
  });

  it('declares the bundle as main and undici as the only runtime dependency', () => {
    const pkgJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    assert.equal(pkgJson.main, './dist/extension.js');
    assert.deepEqual(Object.keys(pkgJson.dependencies), ['undici']);
  });
});
