import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'net',
  'http',
  'https',
  'stream',
  'url',
  'util',
  'events',
  'buffer',
  'worker_threads',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'release/**',
      '.data/**',
      'native/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The core is plain Node: the Electron shell lives in main/ only.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/ must not import electron: put shell code in main/.' }],
          patterns: [
            {
              group: ['**/platform-sim/**', '**/tests/**'],
              message:
                'the product never imports the platform simulator or test emulators (they are not shipped).',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer reaches the core only through the API contract.
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'electron',
            'better-sqlite3',
            'serialport',
            ...nodeBuiltins.filter((n) => !n.includes('*')),
          ].map((name) => ({
            name,
            message: 'renderer/ reaches the core only through src/api/contract.ts',
          })),
          patterns: [
            {
              group: [
                'node:*',
                '@serialport/*',
                '**/src/store/**',
                '**/src/host/**',
                '**/src/hardware/**',
                '**/src/sync/**',
              ],
              message: 'renderer/ reaches the core only through src/api/contract.ts',
            },
          ],
        },
      ],
    },
  },
);
