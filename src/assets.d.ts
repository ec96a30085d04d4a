// esbuild bundles CSS imported from the webview entry into dist/webview.css.
declare module '*.css';
