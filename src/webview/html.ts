// The instance panel's HTML shell. Everything visible is built by dist/webview.js; the page itself
// only loads it under a strict CSP: no inline script or style, scripts only with this load's nonce.
import { randomBytes } from 'node:crypto';

export interface InstanceHtmlOptions {
  /** `webview.cspSource`: the origin the panel's own resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
  /** A fresh nonce per load (`createNonce()`). */
  nonce: string;
  title: string;
}

/** 128 random bits, base64: unguessable for an injected `<script>`, new for every HTML load. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `font-src ${cspSource}`, `img-src ${cspSource} data:`].join('; ');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for element content or a double-quoted attribute (every attribute below is). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]);
}

export function buildInstanceHtml(o: InstanceHtmlOptions): string {
  const attr = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconsUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
