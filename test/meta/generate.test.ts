/**
 * The registry is the single source of the schema's rule ids and of the rule tables in the docs: the checked-in
 * files equal a fresh generation (`npm run gen`), a new rule reaches every generated place, and a rule's
 * `meta.schema` is what validates its `options`.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { allRules } from '../../policies/rules/index.js';
import type { Rule } from '../../policies/rules/rule.js';
import { evaluate } from '../../policies/engine/engine.js';
import { parseConfig, validateConfigObject } from '../../policies/config/load.js';
import {
  fillRegions,
  GENERATED_FILES,
  generateAll,
  type GeneratedFile,
  REGISTRY_FILE,
  updateRegistry,
  updateSchema,
} from '../../scripts/generate.js';
import { container, project, workload } from '../rules/builders.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const current = Object.fromEntries(
  GENERATED_FILES.map((f) => [f, readFileSync(path.join(repoRoot, f), 'utf8')]),
) as Record<GeneratedFile, string>;

function fakeRule(id: string, schema?: Record<string, unknown>, seen?: unknown[]): Rule {
  return {
    meta: {
      id,
      defaultSeverity: 'warning',
      description: `${id} describes itself.`,
      catches: `what ${id} catches`,
      rationale: 'r',
      remediation: 'fix it',
      messages: { found: 'found {{what}}' },
      examples: { bad: 'b', good: 'g' },
      docs: `docs/rules/${id}.md`,
      ...(schema ? { schema } : {}),
    },
    checkWorkload(ctx) {
      seen?.push(ctx.options);
      ctx.report({ messageId: 'found', data: { what: ctx.workload.resource.name }, at: ctx.workload.at });
    },
  };
}

const LIMIT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { maxReplicas: { type: 'integer', minimum: 1, description: 'Replicas tolerated.' } },
};

describe('generated from the rule registry', () => {
  test('README, docs and schema are up to date (run `npm run gen` after changing a rule)', () => {
    const fresh = generateAll(current, allRules);
    for (const f of GENERATED_FILES) expect([f, fresh[f] === current[f]]).toEqual([f, true]);
  });

  test('the registry lists every rule file (a new rule needs no hand edit of policies/rules/index.ts)', () => {
    const dir = path.join(repoRoot, 'policies/rules');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && /^export const rule\b/m.test(readFileSync(path.join(dir, f), 'utf8')))
      .map((f) => f.replace(/\.ts$/, ''));
    const registry = readFileSync(path.join(repoRoot, REGISTRY_FILE), 'utf8');
    expect(updateRegistry(registry, files)).toBe(registry);
    expect(files.sort()).toEqual(allRules.map((r) => r.meta.id).sort());
  });

  test('registry order is kept (SARIF rule indexes follow it): new files go last, deleted ones go', () => {
    const registry = readFileSync(path.join(repoRoot, REGISTRY_FILE), 'utf8');
    const ids = allRules.map((r) => r.meta.id);
    const next = updateRegistry(registry, ['zz-new', 'aa-new', ...ids.filter((id) => id !== 'pvc-missing')]);
    const order = [...next.matchAll(/rule as \w+ \} from '\.\/([\w-]+)\.js'/g)].map((m) => m[1]);
    expect(order).toEqual([...ids.filter((id) => id !== 'pvc-missing'), 'aa-new', 'zz-new']);
    expect(next).toContain('  aaNew,\n  zzNew,\n];');
  });

  test('a new rule reaches every generated place, and nothing else changes', () => {
    const fresh = generateAll(current, [...allRules, fakeRule('brand-new')]);
    expect(fresh['README.md']).toContain(
      '| [`brand-new`](docs/rules/brand-new.md) | warning | what brand-new catches |',
    );
    expect(fresh['docs/rules/README.md']).toContain(
      '| [`brand-new`](brand-new.md) | warning | what brand-new catches |',
    );
    expect(fresh['docs/config.md']).toContain('| [`brand-new`](rules/brand-new.md) | warning | none |');
    const schema = JSON.parse(fresh['policies/schema/persistguard.schema.json']);
    expect(Object.keys(schema.properties.rules.properties)).toEqual([...allRules.map((r) => r.meta.id), 'brand-new']);
    expect(schema.definitions.exemption.properties.rules.items.enum).toEqual([
      '*',
      ...allRules.map((r) => r.meta.id),
      'brand-new',
    ]);
    // Hand-written text around the regions is kept.
    const withoutNew = fresh['README.md']
      .replace(', `brand-new`', '')
      .split('\n')
      .filter((l) => !l.includes('brand-new'));
    expect(withoutNew).toEqual(current['README.md'].split('\n'));
  });

  test('a misspelt or missing marker is an error, not a silently stale table', () => {
    expect(() => fillRegions('text', { 'rules-table': 'x' }, 'X.md')).toThrow(
      /X.md: missing <!-- generated:rules-table/,
    );
    expect(() => fillRegions('<!-- generated:tabel -->\n<!-- /generated:tabel -->', {}, 'X.md')).toThrow(
      /unknown generated region 'tabel'/,
    );
    expect(fillRegions('a <!-- generated:ids -->old<!-- /generated:ids --> b', { ids: 'new' }, 'X.md')).toBe(
      'a <!-- generated:ids -->new<!-- /generated:ids --> b',
    );
  });
});

describe('rule options (ESLint-style meta.schema)', () => {
  const schemaText = updateSchema(current['policies/schema/persistguard.schema.json'], [
    fakeRule('plain'),
    fakeRule('tunable', LIMIT_SCHEMA),
  ]);
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(schemaText));

  test('options are validated against the rule’s schema; a rule without one rejects options', () => {
    expect(validate({ rules: { tunable: { severity: 'error', options: { maxReplicas: 3 } } } })).toBe(true);
    expect(validate({ rules: { tunable: { options: { maxReplicas: 0 } } } })).toBe(false);
    expect(validate({ rules: { tunable: { options: { maxReplica: 3 } } } })).toBe(false);
    expect(validate({ rules: { plain: 'off', tunable: 'warning' } })).toBe(true);
    expect(validate({ rules: { plain: { severity: 'error' } } })).toBe(true);
    expect(validate({ rules: { plain: { options: {} } } })).toBe(false);
  });

  test('the shipped schema: built-in rules take no options, and the mistake is located', () => {
    expect(validateConfigObject({ rules: { 'data-path-pvc': { options: { x: 1 } } } }).map((i) => i.display)).toEqual([
      'rules.data-path-pvc.options',
    ]);
    const r = parseConfig('rules:\n  data-path-pvc:\n    severity: error\n    options: {}\n', '.persistguard.yaml');
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [4, "rules.data-path-pvc.options: unknown key 'options'; valid keys: severity"],
    ]);
  });

  test('the running rule receives its own options; other rules see none', () => {
    const seenTunable: unknown[] = [];
    const seenPlain: unknown[] = [];
    const p = project({ workloads: [workload('a', [container('c')])] });
    const config = parseConfig('{}', 'x').config;
    config.rules = { tunable: { options: { maxReplicas: 3 } } };
    const ev = evaluate(p, {
      config,
      rules: [fakeRule('tunable', LIMIT_SCHEMA, seenTunable), fakeRule('plain', undefined, seenPlain)],
    });
    expect(seenTunable).toEqual([{ maxReplicas: 3 }]);
    expect(seenPlain).toEqual([{}]);
    expect(ev.findings.map((f) => [f.ruleId, f.messageId, f.severity])).toEqual([
      ['tunable', 'found', 'warning'],
      ['plain', 'found', 'warning'],
    ]);
  });
});
