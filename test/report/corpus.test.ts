/**
 * Every report format over the real engine's verdict on real third-party projects (../shared/corpus, each
 * folder scanned as one unit), checked against the official schemas.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parseAllDocuments } from 'yaml';
import { defaultConfig } from '../../policies/config/types.js';
import type { ScanReport } from '../../policies/model/findings.js';
import { junitReporter } from '../../policies/report/junit.js';
import { markdownReporter } from '../../policies/report/markdown.js';
import { policyReportReporter } from '../../policies/report/policyreport.js';
import { sarifReporter } from '../../policies/report/sarif.js';
import { allRules } from '../../policies/rules/index.js';
import { scanPaths } from '../../policies/engine/scan.js';
import { hasSchemas, policyReportValidators, sarifValidator, SHARED } from './schemas.js';

const CORPUS = path.join(SHARED, 'corpus');
const describeShared = hasSchemas && existsSync(CORPUS) ? describe : describe.skip;
const folders = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  : [];

describeShared('reports over ../shared/corpus', () => {
  // Compiled in beforeAll: a skipped describe still runs its body (to collect tests) without ../shared.
  let sarif: ReturnType<typeof sarifValidator>;
  let polr: ReturnType<typeof policyReportValidators>;
  beforeAll(() => {
    sarif = sarifValidator();
    polr = policyReportValidators();
  });
  const rules = allRules.map((r) => r.meta);
  const reports: ScanReport[] = [];

  // test.each refuses an empty table even inside a skipped describe
  test.each(folders.length > 0 ? folders : ['(no corpus)'])(
    '%s: SARIF, PolicyReport (both APIs), JUnit and Markdown are valid',
    async (folder) => {
      const report = await scanPaths([folder], {
        cwd: CORPUS,
        config: defaultConfig(),
        now: new Date('2026-01-01T00:00:00Z'),
      });
      reports.push(report);
      const log = JSON.parse(sarifReporter.render(report, { rules })) as { runs: { results: unknown[] }[] };
      sarif(log);
      expect(sarif.errors ?? null).toBeNull();
      expect(log.runs[0]!.results).toHaveLength(report.findings.length);

      for (const api of ['wgpolicyk8s', 'openreports'] as const) {
        for (const doc of parseAllDocuments(policyReportReporter.render(report, { rules, policyReportApi: api }))) {
          const d = doc.toJSON() as { kind: string };
          const v = polr[d.kind]!;
          v(d);
          expect(v.errors ?? null).toBeNull();
        }
      }
      expect(XMLValidator.validate(junitReporter.render(report, { rules }))).toBe(true);
      const md = markdownReporter.render(report, { rules });
      for (const f of report.findings.filter((x) => !x.suppressed)) expect(md).toContain(`### \`${f.file}\``);
    },
  );

  test('the corpus has findings to report (the checks above were not vacuous)', () => {
    expect(reports.reduce((n, r) => n + r.findings.length, 0)).toBeGreaterThan(10);
  });
});
