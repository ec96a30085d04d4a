import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import dialogAfterSteps from './eslint-rules/dialog-after-steps.mjs';
import noModuleState from './eslint-rules/no-module-state.mjs';
import untrustedText from './eslint-rules/untrusted-text.mjs';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', '.cache/', 'test/fixtures/', 'test-results/', 'dist-vsix/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='innerHTML']", message: 'Render API strings as text (textContent), never as HTML.' }],
    },
  },
  {
    files: ['src/webview/ui/**', 'test/ui/webview-harness/page/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Engine and server text reaches VS Code's UI only through src/model/display (the webview's own
    // DOM helpers mark it there).
    files: ['src/**/*.ts'],
    ignores: ['src/webview/ui/**', 'src/model/**'],
    plugins: { local: { rules: { 'untrusted-text': untrustedText } } },
    rules: { 'local/untrusted-text': 'error' },
  },
  {
    // Shipped code keeps its state in objects with an owner and a lifetime, never in a module.
    files: ['src/**/*.ts'],
    ignores: ['src/webview/ui/**'],
    plugins: { state: { rules: { 'no-module-state': noModuleState } } },
    rules: { 'state/no-module-state': 'error' },
  },
  {
    // A command's modal messages and save dialogs close its busy quick-input step first (steps.ts).
    files: ['src/commands/**/*.ts'],
    plugins: { dialogs: { rules: { 'dialog-after-steps': dialogAfterSteps } } },
    rules: { 'dialogs/dialog-after-steps': 'error' },
  },
  {
    // api/ and model/ are pure: no vscode import, so they run in tests, benchmarks and the gateway.
    files: ['src/api/**', 'src/model/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'api/ and model/ must not depend on vscode.' }] }] },
  },
);
