// One lint config for the monorepo. Besides the usual strict TypeScript rules it carries the
// architecture's two mechanical guarantees:
//  1. the wall: the customer stack and the execution stack never import each other, and
//     share only @bulwark/shared-contracts across it;
//  2. money never passes through a JS number (parseFloat, toFixed, Number(amount)).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

const wallMessage =
  'The stacks are separated by the wall: share code only through @bulwark/shared-contracts.';

const moneyRules = [
  { selector: "CallExpression[callee.name='parseFloat']", message: 'Money never passes through a JS float: use big.js (shared-contracts money helpers).' },
  { selector: "CallExpression[callee.object.name='Number'][callee.property.name='parseFloat']", message: 'Money never passes through a JS float: use big.js.' },
  { selector: "CallExpression[callee.property.name='toFixed']", message: 'toFixed rounds a JS float: format money with the shared-contracts money helpers.' },
  {
    selector: "CallExpression[callee.name='Number'] > :matches(Identifier, MemberExpression)[name=/(amount|price|balance|quantity|qty|fee|total|notional|cost|value)/i]",
    message: 'Number(amount) turns money into a float: keep it a decimal string or Big.',
  },
  {
    selector: "CallExpression[callee.name='Number'] > MemberExpression[property.name=/(amount|price|balance|quantity|qty|fee|total|notional|cost|value)/i]",
    message: 'Number(x.amount) turns money into a float: keep it a decimal string or Big.',
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'solidity/**', '**/vite.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node }, parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-console': 'error',
      'no-restricted-syntax': ['error', ...moneyRules],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['customer-stack/**/*.ts', 'customer-stack/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@bulwark/execution-*', '@bulwark/engine', '**/execution-stack/**'], message: wallMessage },
        ],
      }],
    },
  },
  {
    files: ['execution-stack/**/*.ts', 'execution-stack/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@bulwark/customer-*', '**/customer-stack/**'], message: wallMessage },
        ],
      }],
    },
  },
  {
    files: ['shared-contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@bulwark/customer-*', '@bulwark/execution-*', '@bulwark/engine', '**/customer-stack/**', '**/execution-stack/**'], message: 'shared-contracts depends on neither stack.' },
        ],
      }],
    },
  },
  {
    // A views file holds a route's response types, which its stack's UI imports: plain types and
    // constants, so it may import other views and nothing else (no server code reaches a browser).
    files: ['customer-stack/api/src/**/*.views.ts', 'execution-stack/api/src/**/*.views.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\.\\.?/(?:[\\w-]+/)?[\\w.-]+\\.views\\.js$)', message: 'A *.views.ts file imports only other views: the UIs import it.' }],
      }],
    },
  },
  {
    // A UI takes from its stack's API only the response types of its views files.
    files: ['customer-stack/web/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@bulwark/execution-*', '@bulwark/engine', '**/execution-stack/**'], message: wallMessage },
          { regex: '/api/src/(?!.*\\.views$)', message: 'A UI imports from the API only its *.views.ts response types.' },
        ],
      }],
    },
  },
  {
    files: ['execution-stack/admin-web/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@bulwark/customer-*', '**/customer-stack/**'], message: wallMessage },
          { regex: '/api/src/(?!.*\\.views$)', message: 'A UI imports from the API only its *.views.ts response types.' },
        ],
      }],
    },
  },
  {
    // The three UIs run in the browser: browser globals, the rules of hooks, and no stack code at all.
    files: ['ui-kit/**/*.{ts,tsx}', 'customer-stack/web/**/*.{ts,tsx}', 'execution-stack/admin-web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['ui-kit/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@bulwark/customer-*', '@bulwark/execution-*', '@bulwark/engine', '**/customer-stack/**', '**/execution-stack/**'], message: 'ui-kit serves both stacks and depends on neither.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts', '**/scripts/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
