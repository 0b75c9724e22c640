// Shared Jest settings: SWC compiles TypeScript (with decorator metadata for Nest DI) and
// @pjs/* imports resolve to the libraries' sources, so tests need no build step.
const path = require('node:path');

module.exports = function preset(dir, overrides = {}) {
  return {
    rootDir: dir,
    displayName: path.basename(dir),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
            keepClassNames: true,
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleNameMapper: { '^@pjs/([a-z-]+)$': path.join(__dirname, 'libs/$1/src') },
    ...overrides,
  };
};
