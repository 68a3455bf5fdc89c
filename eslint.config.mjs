import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.local/', 'coverage/', 'bench/results.json', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { ...importX.flatConfigs.typescript.settings, 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      // Modules depend one way: an import cycle means two concerns were cut in the wrong place.
      'import-x/no-cycle': 'error',
      // A module exports what it defines; a pass-through re-export is a second name for one thing.
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportNamedDeclaration[source]', message: 'Import from the module that defines it instead of re-exporting.' },
        { selector: 'ExportAllDeclaration', message: 'Import from the module that defines it instead of re-exporting.' },
      ],
    },
  },
  {
    // A function module past 250 lines holds more than one concern: split it where they meet.
    files: ['lib/**/*.ts', 'handlers/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 250 }] },
  },
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'tests/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The one module of the functions that writes to console: Lambda's runtime turns console.info into a JSON log line.
    files: ['lib/log.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
    // CommonJS config files: require() is how they import (jest.mutation.config.js extends jest.config.js).
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
