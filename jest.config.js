// Two jest projects: unit specs (*.spec.ts, no I/O beyond temp files) and integration specs
// (*.int-spec.ts: real PostgreSQL, Nix, git, daemons, browser). See libs/testing.
import preset from './jest.preset.js';

export default {
  // A global option (jest ignores it inside a project): integration specs start daemons, Nix and
  // PostgreSQL databases, which on a loaded 2-core machine takes longer than jest's 5 s default.
  testTimeout: 120000,
  projects: [
    {
      ...preset,
      displayName: 'unit',
      testMatch: ['<rootDir>/apps/*/src/**/*.spec.ts', '<rootDir>/libs/*/src/**/*.spec.ts'],
    },
    {
      ...preset,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/*/src/**/*.int-spec.ts', '<rootDir>/libs/*/src/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/scripts/jest-global-setup.mjs',
      globalTeardown: '<rootDir>/scripts/jest-global-teardown.mjs',
      slowTestThreshold: 30,
    },
  ],
};
