/**
 * Table-driven rule fixtures, discovered automatically (ESLint/Polaris style):
 *   test/fixtures/rules/<rule-id>/bad/<case>.<ext>   or   .../bad/<case>/ (a folder = one scan unit)
 *   test/fixtures/rules/<rule-id>/good/...
 * These are ESLint RuleTester's `invalid` (bad) and `valid` (good) tables, one file or folder per case.
 * A bad case declares every finding of its rule in comments, with the message id (a key of the rule's
 * `meta.messages`) as RuleTester asserts `messageId`:
 *   # expect: data-path-pvc error 23:13 messageId=notOnVolume container=portal path=/app/data
 * (folder cases prefix the position with the file: `deploy.yaml:12:9`; `suppressed` marks a suppressed one).
 * The case is scanned with the real loaders and engine; its rule's findings must be exactly those, and
 * together the bad cases of a rule must exercise every message id it declares.
 * A good case must have no finding of its rule. A folder case may hold a `.persistguard.yaml`.
 * A folder case with `base/` and `head/` is a change: both are committed to a real temporary git repository
 * and the head is scanned with `--base HEAD~1` (positions are then relative to the repository).
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanPaths } from '../../policies/engine/scan.js';
import { parseConfig } from '../../policies/config/load.js';
import { defaultConfig, type ResolvedConfig } from '../../policies/config/types.js';
import type { Finding } from '../../policies/model/findings.js';
import { loadBaseProject } from '../../cli/git/base-tree.js';
import { twoCommitRepo } from '../support/git.js';
import { allRules, getRule } from '../../policies/rules/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../fixtures/rules');
const NOW = new Date('2026-06-01T12:00:00Z');

export interface FixtureCase {
  rule: string;
  kind: 'bad' | 'good';
  name: string;
  /** Absolute path of the file or folder. */
  abs: string;
  isDir: boolean;
}

export function discoverCases(): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const rule of readdirSync(FIXTURES).sort()) {
    for (const kind of ['bad', 'good'] as const) {
      const dir = path.join(FIXTURES, rule, kind);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).sort()) {
        const abs = path.join(dir, name);
        out.push({ rule, kind, name, abs, isDir: statSync(abs).isDirectory() });
      }
    }
  }
  return out;
}

function filesOf(c: FixtureCase): string[] {
  if (!c.isDir) return [c.abs];
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
    );
  return walk(c.abs).sort();
}

const EXPECT_RE = /^\s*(?:#|\/\/)\s*expect:\s*(.+?)\s*$/;

/** The expected findings declared in the case's comments, normalised to comparable strings. */
export function expectations(c: FixtureCase): string[] {
  const out: string[] = [];
  for (const f of filesOf(c)) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = EXPECT_RE.exec(line);
      if (m) out.push((m[1] as string).replace(/\s+/g, ' '));
    }
  }
  return out.sort();
}

function describeFinding(f: Finding, c: FixtureCase): string {
  const where = c.isDir ? `${f.file}:${f.line}:${f.column}` : `${f.line}:${f.column}`;
  const parts = [f.ruleId, f.severity, where, `messageId=${f.messageId ?? '(none)'}`];
  if (f.container !== undefined) parts.push(`container=${f.container}`);
  if (f.path !== undefined) parts.push(`path=${f.path}`);
  if (f.suppressed) parts.push('suppressed');
  return parts.join(' ');
}

function caseConfig(c: FixtureCase): ResolvedConfig {
  const file = path.join(c.abs, '.persistguard.yaml');
  if (!c.isDir || !existsSync(file)) return defaultConfig();
  const r = parseConfig(readFileSync(file, 'utf8'), '.persistguard.yaml');
  if (r.errors.length > 0) throw new Error(`fixture config ${file}: ${JSON.stringify(r.errors)}`);
  return r.config;
}

/** A case with `base/` and `head/` folders is judged as a change between two commits. */
function isChangeCase(c: FixtureCase): boolean {
  return c.isDir && existsSync(path.join(c.abs, 'base')) && existsSync(path.join(c.abs, 'head'));
}

export async function scanCase(c: FixtureCase) {
  if (isChangeCase(c)) {
    const repo = twoCommitRepo(path.join(c.abs, 'base'), path.join(c.abs, 'head'));
    const config = caseConfig(c);
    const base = await loadBaseProject('HEAD~1', ['.'], { cwd: repo, limits: config.limits });
    return scanPaths(['.'], { config, cwd: repo, now: NOW, base });
  }
  const cwd = c.isDir ? c.abs : path.dirname(c.abs);
  return scanPaths([c.isDir ? '.' : path.basename(c.abs)], { config: caseConfig(c), cwd, now: NOW });
}

const cases = discoverCases();

describe('rule fixtures', () => {
  test('fixtures exist', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  test.each(cases.filter((c) => c.kind === 'bad').map((c) => [`${c.rule}/bad/${c.name}`, c] as const))(
    '%s reports exactly its expected findings',
    async (_label, c) => {
      const expected = expectations(c);
      expect(expected.length).toBeGreaterThan(0);
      const report = await scanCase(c);
      expect(report.errors).toEqual([]);
      const got = report.findings
        .filter((f) => f.ruleId === c.rule)
        .map((f) => describeFinding(f, c))
        .sort();
      expect(got).toEqual(expected);
      // Every finding points at a real position and names what it is about.
      for (const f of report.findings.filter((x) => x.ruleId === c.rule)) {
        expect(f.line).toBeGreaterThan(0);
        expect(f.column).toBeGreaterThan(0);
        expect(f.message).not.toMatch(/\{\{/);
        expect(f.remediation.length).toBeGreaterThan(0);
      }
    },
  );

  // Messages only a live cluster view (or a model files cannot express) produces are asserted by unit tests.
  const UNIT_TESTS = ['../engine/views.test.ts', 'rules-units.test.ts'].map((f) => path.join(here, f));
  const unitAsserted = new Set(
    UNIT_TESTS.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/'([A-Za-z][\w-]*)'/g)].map((m) => m[1])),
  );

  test.each(allRules.map((r) => r.meta.id))('%s: the tests exercise every message id in meta.messages', (id) => {
    const declared = Object.keys(getRule(id)!.meta.messages).sort();
    const exercised = new Set(
      cases
        .filter((c) => c.rule === id && c.kind === 'bad')
        .flatMap(expectations)
        .map((e) => /messageId=([\w-]+)/.exec(e)?.[1]),
    );
    expect(declared.filter((m) => !exercised.has(m) && !unitAsserted.has(m))).toEqual([]);
  });

  test.each(cases.filter((c) => c.kind === 'good').map((c) => [`${c.rule}/good/${c.name}`, c] as const))(
    '%s has no finding of its rule',
    async (_label, c) => {
      const report = await scanCase(c);
      expect(report.errors).toEqual([]);
      expect(
        report.findings
          .filter((f) => f.ruleId === c.rule && !f.suppressed)
          .map((f) => `${f.line}:${f.column} ${f.message}`),
      ).toEqual([]);
    },
  );
});
