// One Jest run over every package that has a jest.config.js (see scripts/test.mjs).
const fs = require('node:fs');
const path = require('node:path');

const roots = ['apps', 'libs', 'services', '.'];
const projects = [];
for (const root of roots) {
  const dirs =
    root === '.' ? ['infrastructure-stack', 'test/hostile'] : fs.readdirSync(root).map((d) => path.join(root, d));
  for (const dir of dirs) {
    if (fs.existsSync(path.join(dir, 'jest.config.js'))) projects.push(`<rootDir>/${dir}`);
  }
}
module.exports = { projects, testTimeout: 30000 };
