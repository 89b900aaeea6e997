// Lint gates: type-aware typescript-eslint rules and Nx module boundaries that really constrain.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

const httpPackages = [
  'express',
  'express-session',
  'ejs',
  'passport',
  'passport-http-bearer',
  'connect-pg-simple',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      '.tools/**',
      '.nx/**',
      'coverage/**',
      'nix/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read the environment only in a composition root (apps/*/src/main.ts) or config loading.',
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            {
              sourceTag: 'type:lib',
              onlyDependOnLibsWithTags: ['type:lib'],
              bannedExternalImports: httpPackages,
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:lib'],
              bannedExternalImports: httpPackages,
            },
            {
              sourceTag: 'scope:core',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['pg', 'pg-boss', 'execa'],
            },
            { sourceTag: 'scope:config', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:logging', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:core'] },
            {
              sourceTag: 'scope:nix',
              onlyDependOnLibsWithTags: ['scope:core'],
              bannedExternalImports: ['pg', 'pg-boss'],
            },
            {
              sourceTag: 'scope:db',
              onlyDependOnLibsWithTags: ['scope:core'],
              bannedExternalImports: ['pg-boss', 'execa', ...httpPackages],
            },
            { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: ['scope:core', 'scope:db'] },
            {
              sourceTag: 'scope:builds',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:db', 'scope:queue'],
              bannedExternalImports: ['execa'],
            },
            {
              sourceTag: 'scope:forges',
              onlyDependOnLibsWithTags: ['scope:core'],
              bannedExternalImports: ['pg', 'pg-boss', 'execa', ...httpPackages],
            },
            {
              sourceTag: 'scope:pull-requests',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:db', 'scope:queue', 'scope:forges'],
              bannedExternalImports: ['execa', ...httpPackages],
            },
            {
              sourceTag: 'scope:evaluator',
              bannedExternalImports: httpPackages,
              onlyDependOnLibsWithTags: ['type:lib'],
            },
            {
              sourceTag: 'scope:builder',
              bannedExternalImports: httpPackages,
              onlyDependOnLibsWithTags: ['type:lib'],
            },
            {
              sourceTag: 'scope:migrate',
              bannedExternalImports: httpPackages,
              onlyDependOnLibsWithTags: ['type:lib'],
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      'apps/*/src/**/*-fixtures.ts',
      'apps/*/src/testing/**/*.ts',
      'libs/testing/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    files: [
      'apps/*/src/main.ts',
      'tools/**/*.ts',
      'libs/config/src/**/*.ts',
      'libs/testing/**/*.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
