// Shared jest settings: ESM mode (run with NODE_OPTIONS=--experimental-vm-modules), swc for
// TypeScript with legacy decorators and decorator metadata (what NestJS DI needs), `.js`
// import suffixes mapped back to the TypeScript sources, and the workspace package
// @bulwark/shared-contracts resolved to its sources so tests never run against a stale build.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

export function jestConfig({ testMatch, testTimeout = 30_000, setupFiles = [] } = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts', '.tsx'],
    testMatch: testMatch ?? ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
    testTimeout,
    setupFiles,
    reporters: ['default', path.join(root, 'infra/testing/summary-reporter.cjs')],
    moduleNameMapper: {
      '^@bulwark/shared-contracts$': path.join(root, 'shared-contracts/src/index.ts'),
      '^@bulwark/shared-contracts/(wall|platform|audit)$': path.join(root, 'shared-contracts/src/$1/index.ts'),
      '^@bulwark/engine$': path.join(root, 'execution-stack/engine/src/index.ts'),
      '^@bulwark/testing$': path.join(root, 'infra/testing/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.tsx?$': ['@swc/jest', {
        jsc: {
          parser: { syntax: 'typescript', decorators: true, tsx: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      }],
    },
  };
}
