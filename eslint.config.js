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

/** Everything in src/: no Electron, nothing that is not shipped. */
const productWall = {
  paths: [{ name: 'electron', message: 'src/ must not import electron: put shell code in main/.' }],
  patterns: [
    {
      group: ['**/platform-sim/**', '**/tests/**'],
      message: 'the product never imports the platform simulator or test emulators (they are not shipped).',
    },
  ],
};

const layer = (folders, why) => ({
  group: folders.map((f) => `**/${f}/**`).concat(folders.map((f) => `../${f}/*`)),
  message: why,
});

/** Per folder of src/: the folders it must not reach, and why. */
const WALLS = {
  domain: [
    layer(
      ['store', 'service', 'host', 'sync', 'hardware', 'api', 'config'],
      'domain/ is pure rules: it imports no other part of the pad.',
    ),
    {
      group: [
        'better-sqlite3',
        'serialport',
        'node:fs',
        'node:net',
        'node:http',
        'node:child_process',
        'fs',
        'net',
      ],
      message: 'domain/ does no I/O and no SQL: put it in store/ (data) or host/ (devices, network).',
    },
  ],
  store: [
    layer(
      ['service', 'host', 'sync', 'hardware', 'api', 'config'],
      'store/ knows the schema and the domain, nothing above.',
    ),
  ],
  service: [
    layer(
      ['host', 'sync', 'hardware', 'config'],
      'service/ gets what it needs handed in at construction (see host/core.ts).',
    ),
    // Values of the contract stay at the edge; its input shapes (types) are the services' inputs.
    {
      group: ['**/api/**', '../api/*'],
      allowTypeImports: true,
      message: 'service/ throws DomainError; only the transports know the API (types are fine).',
    },
  ],
  sync: [
    layer(
      ['service', 'host', 'hardware', 'api', 'config'],
      'sync/ talks to the platform and the store only.',
    ),
  ],
  hardware: [
    layer(
      ['store', 'service', 'host', 'sync', 'api', 'config'],
      'hardware/ drives devices; the host wires them to the services.',
    ),
  ],
  api: [
    layer(
      ['store', 'service', 'host', 'sync', 'hardware', 'config'],
      'api/ is the contract and its dispatcher; it knows only the domain.',
    ),
  ],
  config: [
    layer(['store', 'service', 'host', 'sync'], 'config/ is the schema of the settings.'),
    {
      // The citizen settings' shape and its daily-hours rule are part of the contract the renderer reads.
      group: ['**/api/**', '../api/*', '!../api/citizen.js'],
      message: 'config/ is the schema of the settings; of api/ it shares only citizen.ts.',
    },
  ],
};

/** The platform simulator is its own program: it shares only the pure rules and request signing. */
const simulatorWall = {
  files: ['platform-sim/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [
              ...['store', 'service', 'host', 'hardware', 'config', 'api'].map((f) => `**/src/${f}/**`),
              '**/src/sync/*',
              '!**/src/sync/signing.js',
            ],
            message: 'platform-sim/ shares only src/domain and src/sync/signing with the pad.',
          },
        ],
      },
    ],
  },
};

function coreWalls() {
  const wallFor = (patterns) => [
    'error',
    { paths: productWall.paths, patterns: [...productWall.patterns, ...patterns] },
  ];
  return [
    {
      // The core is plain Node: the Electron shell lives in main/ only.
      files: ['src/**/*.ts'],
      rules: { '@typescript-eslint/no-restricted-imports': wallFor([]) },
    },
    ...Object.entries(WALLS).map(([folder, patterns]) => ({
      files: [`src/${folder}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': wallFor(patterns) },
    })),
    {
      // Nothing imports the composition root but main/, the browser shell and the CLI.
      files: ['src/**/*.ts'],
      ignores: ['src/host/core.ts', 'src/host/shell.ts', 'src/host/cli.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['**/host/core', '**/host/core.js', './core', './core.js'],
                message:
                  'only main/, the browser shell and the CLI import the composition root: declare the narrow interface you need.',
              },
            ],
          },
        ],
      },
    },
  ];
}

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
  // The layers of the core (docs/architecture.md "The walls"): domain ← store ← service ← host,
  // with api/ at the edge. One entry per folder; each lists what that folder must not import.
  ...coreWalls(),
  simulatorWall,
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
              group: ['node:*', '@serialport/*', '**/platform-sim/**'],
              message: 'renderer/ reaches the core only through src/api/contract.ts',
            },
            {
              // The API contract and the pure shared types (domain/types, domain/errors, domain/levels), nothing else.
              group: [
                ...['store', 'service', 'host', 'hardware', 'sync', 'config'].map((f) => `**/src/${f}/**`),
                '**/src/api/dispatch*',
                '**/src/domain/*',
                '!**/src/domain/types.js',
                '!**/src/domain/errors.js',
                '!**/src/domain/levels.js',
              ],
              message:
                'renderer/ may import only src/api/contract.ts and pure shared types (src/domain/types.ts, levels.ts)',
            },
          ],
        },
      ],
    },
  },
);
