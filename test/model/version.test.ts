import { readFileSync } from 'node:fs';
import { VERSION, ruleDocsUrl } from '../../policies/model/version.js';

test('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});

test('rule docs URLs point at docs/rules/<id>.md', () => {
  expect(ruleDocsUrl('data-path-pvc')).toMatch(/\/docs\/rules\/data-path-pvc\.md$/);
});
