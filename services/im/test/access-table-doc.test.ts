import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceAccessTable } from '@pjs/http';
import { IM_ACCESS_POLICY as POLICY } from '../src/access-policy';

/**
 * docs/contracts.md shows this service's route → scope → allowlist table, generated from the
 * access policy the access check reads. After changing the policy, run `pnpm docs:routes`.
 */
describe(`the access table of ${POLICY.service} in docs/contracts.md`, () => {
  it('is the one generated from the access policy (pnpm docs:routes)', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'contracts.md'), 'utf8');
    expect(replaceAccessTable(doc, POLICY)).toBe(doc);
  });
});
