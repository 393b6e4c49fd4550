import { beforeAll, describe, expect, test } from '@jest/globals';
import { sarifReporter, SARIF_MAX_RESULTS, fileUri } from '../../policies/report/sarif.js';
import { finding, RULES, sampleReport } from './fixtures.js';
import type { ScanReport } from '../../policies/model/findings.js';
import { hasSchemas, sarifValidator } from './schemas.js';

const describeShared = hasSchemas ? describe : describe.skip;

interface UriLog {
  runs: {
    results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[];
    originalUriBaseIds?: unknown;
  }[];
}

interface SarifLog {
  runs: {
    tool: {
      driver: {
        name: string;
        rules: {
          id: string;
          helpUri: string;
          defaultConfiguration?: { level: string };
          fullDescription?: { text: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: Record<string, number> };
      }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; justification: string }[];
      baselineState?: string;
    }[];
    invocations: { toolExecutionNotifications?: { message: { text: string } }[] }[];
    properties: Record<string, unknown>;
  }[];
}

function render(report: ScanReport): SarifLog {
  return JSON.parse(sarifReporter.render(report, { rules: RULES })) as SarifLog;
}

describeShared('SARIF against the official 2.1.0 schema', () => {
  // Compiled in beforeAll: a skipped describe still runs its body (to collect tests) without ../shared.
  let validate: ReturnType<typeof sarifValidator>;
  beforeAll(() => {
    validate = sarifValidator();
  });

  test('a report with errors, warnings, suppressions, load errors and admission findings validates', () => {
    const log = render(sampleReport());
    const ok = validate(log);
    expect(validate.errors ?? null).toBeNull();
    expect(ok).toBe(true);
  });

  test('a scan root outside the working directory: uris relative to %SRCROOT%, and it validates', () => {
    const report = sampleReport();
    report.findings = [finding({ file: '/srv/repo/k8s/db.yaml' }), finding({ file: '/elsewhere/x.yaml', line: 3 })];
    const text = sarifReporter.render(report, {
      rules: RULES,
      srcRoot: '/srv/repo',
      cwd: '/home/me',
      baseUri: 'file:///srv/repo',
    });
    const log = JSON.parse(text) as UriLog;
    const run = log.runs[0]!;
    const locs = run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation);
    // Outside the root: an absolute file: URI with no base, never an absolute path with a uriBaseId.
    expect(locs).toEqual([{ uri: 'file:///elsewhere/x.yaml' }, { uri: 'k8s/db.yaml', uriBaseId: '%SRCROOT%' }]);
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///srv/repo/' } });
    expect(validate(log)).toBe(true);
  });

  test('an empty report validates', () => {
    const empty: ScanReport = {
      tool: { name: 'persistguard', version: '0.1.0' },
      findings: [],
      errors: [],
      summary: { files: 0, resources: 0, errors: 0, warnings: 0, suppressed: 0 },
    };
    expect(validate(render(empty))).toBe(true);
  });

  test('the schema rejects a region on line 0, so admission findings must carry none (the check works)', () => {
    const log = render(sampleReport()) as unknown as {
      runs: { results: { locations: { physicalLocation: { region?: object } }[] }[] }[];
    };
    const bad = structuredClone(log);
    const loc = bad.runs[0]?.results[0]?.locations[0];
    if (!loc) throw new Error('no location');
    loc.physicalLocation.region = { startLine: 0 };
    expect(validate(bad)).toBe(false);
  });
});

describe('SARIF content', () => {
  test('without a source root, an absolute file gets a file: URI and no uriBaseId', () => {
    const report = sampleReport();
    report.findings = [finding({ file: '/abs/k8s/db.yaml' }), finding({ file: 'rel/db.yaml' })];
    const log = JSON.parse(sarifReporter.render(report, { rules: RULES })) as UriLog;
    const locs = log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation);
    expect(locs).toEqual([{ uri: 'file:///abs/k8s/db.yaml' }, { uri: 'rel/db.yaml', uriBaseId: '%SRCROOT%' }]);
  });

  test('driver rules carry descriptions, help and doc links; results point at their rule by index', () => {
    const log = render(sampleReport());
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('persistguard');
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual(['data-path-pvc', 'sqlite-in-tmp', 'image-not-imported']);
    expect(run.tool.driver.rules[2]!.defaultConfiguration!.level).toBe('warning');
    expect(run.tool.driver.rules[0]!.helpUri).toMatch(/docs\/rules\/data-path-pvc\.md$/);
    for (const r of run.results) expect(ids[r.ruleIndex]).toBe(r.ruleId);
  });

  test('exact regions; none for line 0; relative %SRCROOT% uris; remediation in the message', () => {
    const run = render(sampleReport()).runs[0]!;
    const db = run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'k8s/db.yaml')!;
    expect(db.locations[0]!.physicalLocation.region).toEqual({
      startLine: 24,
      startColumn: 15,
      endLine: 24,
      endColumn: 39,
    });
    expect(db.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(db.message.text).toContain('Fix: Mount a PersistentVolumeClaim');
    const adm = run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'admission%3A1234')!;
    expect(adm.locations[0]!.physicalLocation.region).toBeUndefined();
  });

  test('suppressed findings become suppressions with the reason; annotation → inSource, config → external', () => {
    const report = sampleReport();
    report.findings.push(
      finding({ suppressed: true, suppression: { kind: 'config', reason: 'legacy' }, container: 'other' }),
    );
    const run = render(report).runs[0]!;
    const supp = run.results.filter((r) => r.suppressions).map((r) => r.suppressions![0]);
    expect(supp).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'inSource', justification: 'scratch data, rebuilt on start' }),
        expect.objectContaining({ kind: 'external', justification: 'legacy' }),
      ]),
    );
  });

  test('fingerprints ignore line moves but change with rule, resource, container or path', () => {
    const fp = (f: ReturnType<typeof finding>): string => {
      const report = sampleReport();
      report.findings = [f];
      return Object.values(render(report).runs[0]!.results[0]!.partialFingerprints)[0]!;
    };
    const base = fp(finding());
    expect(fp(finding({ line: 90, column: 3, endLine: 90, endColumn: 20 }))).toBe(base);
    expect(fp(finding({ container: 'sidecar' }))).not.toBe(base);
    expect(fp(finding({ path: '/data' }))).not.toBe(base);
    expect(fp(finding({ ruleId: 'sqlite-in-tmp' }))).not.toBe(base);
    expect(fp(finding({ resource: { kind: 'Deployment', namespace: 'shop', name: 'db2' } }))).not.toBe(base);
  });

  test('two identical findings in one file get distinct fingerprints', () => {
    const report = sampleReport();
    report.findings = [finding(), finding({ line: 30 })];
    const prints = render(report).runs[0]!.results.map((r) => Object.values(r.partialFingerprints)[0]);
    expect(new Set(prints).size).toBe(2);
  });

  test('load errors become tool execution notifications', () => {
    const run = render(sampleReport()).runs[0]!;
    expect(run.invocations[0]!.toolExecutionNotifications![0]!.message.text).toContain(
      'k8s/broken.yaml:3: bad indentation',
    );
  });

  test(`caps results at ${SARIF_MAX_RESULTS}, keeping errors first, and says so`, () => {
    const report = sampleReport();
    const warnings = Array.from({ length: SARIF_MAX_RESULTS }, (_, i) =>
      finding({ severity: 'warning', ruleId: 'image-not-imported', line: i + 1, container: `c${i}` }),
    );
    report.findings = [...warnings, finding({ line: 99_999 })];
    const run = render(report).runs[0]!;
    expect(run.results).toHaveLength(SARIF_MAX_RESULTS);
    expect(run.results[0]!.level).toBe('error');
    expect(run.properties.droppedResults).toBe(1);
    expect(
      run.invocations[0]!.toolExecutionNotifications!.some((n) =>
        n.message.text.includes('1 of 25001 results were left out'),
      ),
    ).toBe(true);
  });

  test('baseline state is carried over', () => {
    const report = sampleReport();
    report.findings = [finding({ baseline: 'existing' }), finding({ container: 'x', baseline: 'new' })];
    expect(render(report).runs[0]!.results.map((r) => r.baselineState)).toEqual(['new', 'unchanged']);
  });

  test('file uris are percent-encoded per segment', () => {
    expect(fileUri('deploy/my app/#1.yaml')).toBe('deploy/my%20app/%231.yaml');
    expect(fileUri('win\\path\\a.yaml')).toBe('win/path/a.yaml');
  });
});
