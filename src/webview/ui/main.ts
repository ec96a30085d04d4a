// Entry of the instance webview bundle (dist/webview.js; esbuild emits dist/webview.css from the import).
import './styles.css';
import { App } from './app';

const root = document.getElementById('app');
if (root) new App(root);
