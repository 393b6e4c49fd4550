// Lint: typescript-eslint's recommended rules with types, plus an import check that fails on packages
// missing from package.json (a runtime import of a dev dependency works by accident, then breaks on npm).
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// action/ is not here: esbuild bundles it with its dependencies into dist/, so @actions/* are build-time
// (dev) dependencies and npm users of the CLI never install them.
const runtimeCode = ['policies/**/*.ts', 'render/**/*.ts', 'cli/**/*.ts', 'webhook/**/*.ts', 'bin/**/*.js'];

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'coverage/', 'examples/', '.bench-out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { 'import-x': importX },
    rules: {
      // Reporters and the shell expander match control characters on purpose (to strip or escape them).
      'no-control-regex': 'off',
      'import-x/no-duplicates': 'error',
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: runtimeCode,
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, optionalDependencies: false }],
    },
  },
);
