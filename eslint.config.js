// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer rules (see ARCHITECTURE.md): pure code imports no I/O or framework; domain commands and
 * queries never import the HTTP layer; only src/http and the routes files import Fastify.
 */
const io = [
  'kysely',
  'pg',
  '@electric-sql/pglite',
  'fastify',
  'nodemailer',
  'node:fs',
  'node:net',
  'node:http',
  'fs',
  'pino',
];
const ioPatterns = ['**/db/**', '**/http/**', '**/server/**', '**/cli/**', '@fastify/*'];

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'web/dist', 'coverage', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
    },
  },
  {
    files: [
      'src/core/**',
      'src/policy/**',
      'src/**/rules.ts',
      'src/audit/chain.ts',
      'src/auth/totp.ts',
      'src/auth/secrets.ts',
      'src/vultron/**',
      'src/scores/**',
      'src/sla/**',
      'src/identifiers/**',
      'src/markdown/**',
      'src/formats/**',
      'src/versions/**',
      'src/reports/sla.ts',
    ],
    ignores: ['**/*.test.ts', 'src/vultron/spec.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: io, patterns: [...ioPatterns, '**/commands.ts', '**/queries.ts', '**/routes.ts'] },
      ],
    },
  },
  {
    files: [
      'src/**/commands.ts',
      'src/**/queries.ts',
      'src/**/invitations.ts',
      'src/auth/sessions.ts',
      'src/auth/tokens.ts',
      'src/auth/twofactor.ts',
      'src/auth/reset.ts',
      'src/settings/settings.ts',
      'src/cases/threads.ts',
      'src/cases/reminders.ts',
      'src/notifications/dispatch.ts',
      'src/notifications/events.ts',
      'src/notifications/delivery.ts',
      'src/cases/finder.ts',
      'src/cases/events.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['fastify'], patterns: ['**/http/**', '**/routes.ts', '**/cli/**', '@fastify/*'] },
      ],
    },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/routes.ts', '**/http/**'] }] },
  },
  {
    files: ['web/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/src/*', '../../src/**'] }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
