/**
 * The rule registry, its docs and its fixtures stay in step: every rule has a doc page and bad and good
 * fixtures, every doc page and fixture folder belongs to a rule, ids are unique, the fixed ids exist,
 * and every message id a rule reports exists in its meta.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allRules, getRule } from '../../policies/rules/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Public ids users script against (config, exemptions, annotations, SARIF): a rename or removal breaks them.
// New rules are added to the registry without touching this list.
const FIXED_IDS = [
  'data-path-pvc',
  'sqlite-in-tmp',
  'k3s-image-import',
  'pvc-missing',
  'rwo-shared-claim',
  'sqlite-shared-volume',
  'reclaim-delete',
  'readonly-data-mount',
  'data-not-carried-over',
  'mount-hides-image-files',
];
const ids = allRules.map((r) => r.meta.id);

describe('rule registry', () => {
  test('every published id is still present (additions welcome), and ids are unique', () => {
    expect(FIXED_IDS.filter((id) => !ids.includes(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const id of FIXED_IDS) expect(getRule(id)?.meta.id).toBe(id);
  });

  test.each(ids)('%s: meta is complete (description, rationale, remediation, examples, severity)', (id) => {
    const m = getRule(id)!.meta;
    for (const field of [m.description, m.catches, m.rationale, m.remediation, m.examples.bad, m.examples.good])
      expect(field.trim().length).toBeGreaterThan(10);
    expect(['error', 'warning']).toContain(m.defaultSeverity);
    expect(Object.keys(m.messages).length).toBeGreaterThan(0);
    expect(m.docs).toBe(`docs/rules/${id}.md`);
  });

  test.each(ids)('%s: has a doc page with the sections a user needs', (id) => {
    const file = path.join(repoRoot, 'docs/rules', `${id}.md`);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(new RegExp(`^# ${id}`, 'm'));
    for (const heading of [
      '## What it catches',
      '## Why',
      '## Bad',
      '## Good',
      '## Remediation',
      '## Files and live clusters',
      '## Configuration and exemptions',
    ]) {
      expect(text).toContain(heading);
    }
  });

  test.each(ids)('%s: has bad and good fixtures', (id) => {
    for (const kind of ['bad', 'good']) {
      const dir = path.join(repoRoot, 'test/fixtures/rules', id, kind);
      expect(existsSync(dir)).toBe(true);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
    }
  });

  test.each(ids)('%s: every messageId used in the rule source exists in meta.messages', (id) => {
    const src = readFileSync(path.join(repoRoot, 'policies/rules', `${id}.ts`), 'utf8');
    const used = new Set<string>();
    for (const m of src.matchAll(/messageId:\s*'([\w-]+)'/g)) used.add(m[1] as string);
    for (const m of src.matchAll(/report\('([\w-]+)'/g)) used.add(m[1] as string);
    for (const m of src.matchAll(/\?\s*'([\w-]+)'\s*:\s*'([\w-]+)'/g)) {
      // ternaries choosing a message id (`cluster ? 'missingInCluster' : 'missingInFiles'`)
      if (m[1] && m[2] && (m[1] in getRule(id)!.meta.messages || m[2] in getRule(id)!.meta.messages)) {
        used.add(m[1]);
        used.add(m[2]);
      }
    }
    expect(used.size).toBeGreaterThan(0);
    for (const u of used) expect(Object.keys(getRule(id)!.meta.messages)).toContain(u);
  });

  test('the rules index links every rule page', () => {
    const index = readFileSync(path.join(repoRoot, 'docs/rules/README.md'), 'utf8');
    for (const id of ids) expect(index).toContain(`[\`${id}\`](${id}.md)`);
  });

  test('every doc page and fixture folder belongs to a registry rule', () => {
    const docs = readdirSync(path.join(repoRoot, 'docs/rules'))
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .map((f) => f.replace(/\.md$/, ''));
    const fixtureDirs = readdirSync(path.join(repoRoot, 'test/fixtures/rules'));
    for (const d of docs) expect(ids).toContain(d);
    for (const d of fixtureDirs) expect(ids).toContain(d);
  });
});
