// ESLint for every TypeScript and JavaScript file of the repository; the rules and why: docs/code-style.md.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { configs as typescript } from 'typescript-eslint';

export default defineConfig(
  // What .gitignore lists (ESLint does not read it).
  globalIgnores(['dist/', 'coverage/', 'reports/', 'cdktf.out/', 'cdktf.out.*/', '.gen/', '.ci-cache/', 'state/', '.terraform/']),

  js.configs.recommended,
  typescript.strictTypeChecked,
  importX.flatConfigs.recommended,
  importX.flatConfigs.typescript,
  {
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.node,
      // Type information from tsconfig.json: lint sees the very program `npm run typecheck` checks,
      // and a .ts file outside its "include" is an error here.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers and booleans print as expected in a template; undefined, null and objects do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `(x) => list.push(x)` as an arrow shorthand, and `void` to discard a result, are idiomatic here.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
      // `(x) => void delete x.key` / `void (x.key = value)` is the idiom for an arrow that only mutates.
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      // A leading underscore marks a deliberately unused binding (a property left out of a rest copy).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Guards against values whose declared types are optimistic (JSON.stringify's result, platform
      // constants, state a beforeAll hook may not have set) read as "unnecessary" and would be deleted.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `async` marks callbacks that must return a promise (polling helpers, the review poster) even without an await.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught error (typed unknown) as the rejection reason is fine.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // Policies and tests put values read from untyped Terraform JSON into messages as they are.
      '@typescript-eslint/no-base-to-string': 'off',
      // Removing a key by name from a parsed document (a config copy, a Helm values tree) is the job.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // The input readers and escapers match control characters on purpose, to reject or escape them.
      'no-control-regex': 'off',

      // A provider's index loads every generated resource class (about 0.5 s and 190 MiB for kubernetes):
      // import the classes used from their modules (docs/benchmarks.md, "What keeps it fast").
      'no-restricted-imports': [
        'error',
        {
          paths: ['@cdktf/provider-kubernetes', '@cdktf/provider-helm'].map((name) => ({
            name,
            message: `import the classes used from their own modules (${name}/lib/<resource>): the index loads every resource class`,
          })),
        },
      ],

      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
      // node: builtins, then packages, then our own modules; alphabetical, no blank lines (as the code is written).
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', ['internal', 'parent', 'sibling', 'index']],
          'newlines-between': 'never',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
    },
  },

  // Tests and the rules' case tables read synthesized Terraform JSON and tool output untyped,
  // index it freely and assert its shape with expect.
  {
    files: ['test/**', '**/*.cases.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },

  // JavaScript files (the jest configs, the .cjs helpers) are CommonJS, outside the TypeScript program.
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [typescript.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], extends: [typescript.disableTypeChecked] },

  // Last: turns off every rule that would fight Prettier's formatting.
  prettier,
);
