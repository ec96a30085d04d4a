import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', '.cache/', 'test/fixtures/', 'test-results/', 'dist-vsix/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', AbortController: 'readonly', fetch: 'readonly', document: 'readonly', window: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='innerHTML']", message: 'Render API strings as text (textContent), never as HTML.' }],
    },
  },
  {
    // api/ and model/ are pure: no vscode import, so they run in tests, benchmarks and the gateway.
    files: ['src/api/**', 'src/model/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'api/ and model/ must not depend on vscode.' }] }] },
  },
);
