// ESLint flat config: typescript-eslint everywhere, React hooks rules in the renderer, runtime boundaries as lint errors.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const network = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'].map((name) => ({
  name,
  message: 'Ringside works offline: no network requests at runtime.',
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test/fixtures/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'No raw HTML: render text.' },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'electron',
            'react',
            'react-dom',
            '../renderer/*',
            '../electron/*',
            '../../renderer/*',
            '../../electron/*',
          ],
        },
      ],
      'no-restricted-globals': ['error', ...network, 'document', 'window', 'process', 'Buffer'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', '../electron/*', '../../electron/*'] }],
      'no-restricted-globals': ['error', ...network],
    },
  },
  {
    // Layers inside the renderer: app/ (shell, router) → features/ → state/, components/, db/, platform/. Features
    // and everything below them never import the shell; nothing below the features imports a feature.
    files: ['renderer/features/**/*.{ts,tsx}', 'renderer/{state,components,db,platform}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'electron', '../electron/*', '../../electron/*'] },
            { regex: '^(\\.\\./)+app/', message: 'Features and the layers below them do not import app/ (the shell).' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/{state,components,db,platform}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'electron', '../electron/*', '../../electron/*'] },
            { regex: '^(\\.\\./)+app/', message: 'Features and the layers below them do not import app/ (the shell).' },
            { regex: '^(\\.\\./)+features/', message: 'Shared renderer layers do not import a feature.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
