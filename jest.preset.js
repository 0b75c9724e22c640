// Shared Jest settings: SWC compiles TypeScript (with decorator metadata for Nest DI) and
// @pjs/* imports resolve to the libraries' sources, so tests need no build step.
const path = require('node:path');

// @nestjs/swagger serves the Swagger UI through @fastify/static, which requires content-disposition,
// an ES module. Node (>= 20.19) requires ES modules itself; Jest's module runtime does not, so that
// one package is compiled to CommonJS like our sources.
const ESM_PACKAGES = ['content-disposition', 'cookie'];

module.exports = function preset(dir, overrides = {}) {
  const swc = [
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
  ];
  return {
    rootDir: dir,
    displayName: path.basename(dir),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': swc,
      [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: swc,
    },
    transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?(${ESM_PACKAGES.join('|')})[@/])`],
    // A service is imported by its package name too (its public entry, src/index.ts), never by path.
    moduleNameMapper: {
      '^@pjs/(dbu|im|is-web)$': path.join(__dirname, 'services/$1/src/index.ts'),
      '^@pjs/([a-z-]+)$': path.join(__dirname, 'libs/$1/src'),
    },
    ...overrides,
  };
};
