import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
    // api/ and model/ are pure: no vscode import, so they run in tests, benchmarks and the gateway.
    files: ['src/api/**', 'src/model/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'api/ and model/ must not depend on vscode.' }] }] },
  },
);
