import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { allRules } from '../../policies/rules/index.js';

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const readme = read('README.md');

test('the first screen gives the install+scan and install+test commands', () => {
  const firstScreen = readme.split('\n').slice(0, 25).join('\n');
  expect(firstScreen).toContain('npm ci && npx persistguard scan examples');
  expect(firstScreen).toContain('npm ci && npm test');
});

test('.ci/run runs the README test command', () => {
  const ci = read('.ci/run');
  // npm ci, not npm install: a lockfile out of sync with package.json must fail CI, not be rewritten.
  expect(ci).toMatch(/^npm ci\b/m);
  expect(ci).not.toMatch(/npm install/);
  expect(ci).toMatch(/^npm test$/m);
});

test('the rules table lists every registered rule with its default severity and doc link', () => {
  for (const rule of allRules) {
    const row = readme.split('\n').find((l) => l.startsWith(`| [\`${rule.meta.id}\`]`));
    expect(row).toBeDefined();
    expect(row).toContain(`(docs/rules/${rule.meta.id}.md)`);
    expect(row).toContain(rule.meta.defaultSeverity);
  }
});

test('the config reference table is the one in docs/config.md', () => {
  const docs = read('docs/config.md');
  const start = docs.indexOf('| key | type | default | meaning |');
  const table = docs.slice(start, docs.indexOf('\n\n', start));
  expect(start).toBeGreaterThan(0);
  expect(readme).toContain(table);
});

test('every Action input and output is documented in the README', () => {
  const action = parse(read('action.yml')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
  for (const input of Object.keys(action.inputs)) expect(readme).toContain(`| \`${input}\` |`);
  for (const output of Object.keys(action.outputs)) expect(readme).toContain(`\`${output}\``);
});
