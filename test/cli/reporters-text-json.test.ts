import { describe, expect, test } from '@jest/globals';
import type { Finding, ScanReport } from '../../policies/model/findings.js';
import { jsonReporter } from '../../policies/report/json.js';
import { textReporter } from '../../policies/report/text.js';
import { getReporter } from '../../policies/report/index.js';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'data-path-pvc',
    severity: 'error',
    message: 'Container "app" keeps data in /data, but no volume is mounted there.',
    file: 'k8s/app.yaml',
    line: 10,
    column: 5,
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'app' },
    container: 'app',
    path: '/data',
    remediation: 'Mount a PersistentVolumeClaim at /data.',
    suppressed: false,
    ...over,
  };
}

function report(findings: Finding[], extra: Partial<ScanReport> = {}): ScanReport {
  const active = findings.filter((f) => !f.suppressed);
  return {
    tool: { name: 'persistguard', version: '0.1.0' },
    findings,
    errors: [],
    summary: {
      files: 3,
      resources: 4,
      errors: active.filter((f) => f.severity === 'error').length,
      warnings: active.filter((f) => f.severity === 'warning').length,
      suppressed: findings.length - active.length,
    },
    ...extra,
  };
}

const MIXED = report([
  finding({
    file: 'z/compose.yaml',
    line: 3,
    column: 7,
    severity: 'warning',
    ruleId: 'data-path-pvc',
    resource: { kind: 'ComposeService', name: 'web' },
    container: 'web',
    path: '/cache',
  }),
  finding({ line: 40, column: 9, ruleId: 'reclaim-delete', severity: 'warning' }),
  finding({ line: 12, column: 3 }),
  finding({
    line: 20,
    column: 1,
    ruleId: 'sqlite-in-tmp',
    suppressed: true,
    suppression: { kind: 'annotation', reason: 'scratch cache, rebuilt on start' },
  }),
]);

describe('text reporter', () => {
  const opts = { rules: [] };

  test('groups by file (sorted) under one header each, sorts by line, one line:col line per finding', () => {
    const lines = textReporter.render(MIXED, opts).split('\n');
    const headers = lines.filter((l) => /^\S/.test(l) && !l.includes(' '));
    expect(headers).toEqual(['k8s/app.yaml', 'z/compose.yaml']);
    // The file path is printed once, as the header: never again on the finding lines.
    expect(lines.filter((l) => l.includes('k8s/app.yaml'))).toEqual(['k8s/app.yaml']);
    const findingLines = lines
      .filter((l) => /^ {2}\d+:\d+ {2}/.test(l))
      .map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 3)
          .join(' | '),
      );
    expect(findingLines).toEqual([
      '12:3 | error | data-path-pvc',
      '20:1 | suppressed | sqlite-in-tmp',
      '40:9 | warning | reclaim-delete',
      '3:7 | warning | data-path-pvc',
    ]);
  });

  test('shows resource, container and path, then the fix, indented under each active finding', () => {
    const out = textReporter.render(report([finding({})]), opts);
    expect(out).toContain('k8s/app.yaml\n  10:5  error    data-path-pvc  Container "app" keeps data in /data');
    expect(out).toContain(
      '\n      Deployment prod/app, container app, path /data\n      fix: Mount a PersistentVolumeClaim at /data.\n',
    );
  });

  test('a compose service is not named twice', () => {
    const out = textReporter.render(MIXED, opts);
    expect(out).toContain('      ComposeService web, path /cache');
  });

  test('multi-line remediation stays indented under the finding', () => {
    const out = textReporter.render(
      report([finding({ remediation: 'Import it:\n  docker save a | sudo k3s ctr images import -' })]),
      opts,
    );
    expect(out).toContain('      fix: Import it:\n             docker save a | sudo k3s ctr images import -\n');
  });

  test('suppressed findings stay visible with their reason, without a fix', () => {
    const out = textReporter.render(MIXED, opts);
    const line = out.split('\n').find((l) => l.includes('suppressed  sqlite-in-tmp')) ?? '';
    expect(line).toContain('(annotation: scratch cache, rebuilt on start)');
    expect(out.match(/fix:/g)).toHaveLength(3);
  });

  test('summary: counts, scanned files, a pointer to explain', () => {
    const out = textReporter.render(MIXED, opts);
    expect(out).toContain('1 error, 2 warnings, 1 suppressed (3 files, 4 resources scanned).');
    // Every rule with an active finding is named, not only the first.
    expect(out).toContain(
      "Run 'persistguard explain RULE' for why a rule matters and how to fix it; rules found: data-path-pvc, reclaim-delete.",
    );
    expect(textReporter.render(report([]), opts)).toBe('No data-loss risks found (3 files, 4 resources scanned).\n');
  });

  test('input errors and notes are listed', () => {
    const out = textReporter.render(
      report([], {
        errors: [{ file: 'bad.yaml', line: 3, column: 1, message: 'invalid YAML' }],
        notes: [{ file: 'chart/templates/x.yaml', message: 'Helm template: render it' }],
      }),
      opts,
    );
    expect(out).toContain('  bad.yaml:3:1  invalid YAML');
    expect(out).toContain('  chart/templates/x.yaml  Helm template: render it');
    expect(out).toContain('1 input error (3 files');
  });

  test('ANSI colour only when asked', () => {
    expect(textReporter.render(MIXED, { ...opts, color: true })).toContain('\u001b[31merror');
    expect(textReporter.render(MIXED, { ...opts, color: false })).not.toContain('\u001b[');
  });
});

describe('json reporter', () => {
  test('is pretty-printed JSON of the contract with a stable key order', () => {
    const text = jsonReporter.render(MIXED, { rules: [] });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "tool": {');
    const parsed = JSON.parse(text) as ScanReport;
    expect(Object.keys(parsed)).toEqual(['tool', 'findings', 'errors', 'summary']);
    expect(Object.keys(parsed.findings[2] as object)).toEqual([
      'ruleId',
      'severity',
      'message',
      'file',
      'line',
      'column',
      'resource',
      'container',
      'path',
      'remediation',
      'suppressed',
    ]);
    expect(Object.keys(parsed.findings[3] as object)).toContain('suppression');
    expect(Object.keys(parsed.summary)).toEqual(['files', 'resources', 'errors', 'warnings', 'suppressed']);
  });

  test('a compose resource is exactly {kind, name}; absent fields are left out, not null', () => {
    const parsed = JSON.parse(jsonReporter.render(MIXED, { rules: [] })) as ScanReport;
    expect(parsed.findings[0]?.resource).toEqual({ kind: 'ComposeService', name: 'web' });
    const noContainer = JSON.parse(
      jsonReporter.render(report([finding({ container: undefined, path: undefined })]), { rules: [] }),
    ) as ScanReport;
    expect(Object.keys(noContainer.findings[0] as object)).not.toContain('container');
  });

  test('keeps notes and errors, leaves out the evaluated resources list', () => {
    const parsed = JSON.parse(
      jsonReporter.render(
        report([], {
          errors: [{ file: 'a.yaml', line: 2, message: 'bad' }],
          notes: [{ file: 'b.yaml', message: 'skipped' }],
          resources: [{ resource: { kind: 'Pod', name: 'p' }, file: 'p.yaml', line: 1, column: 1 }],
        }),
        { rules: [] },
      ),
    ) as ScanReport;
    expect(parsed.errors).toEqual([{ file: 'a.yaml', line: 2, message: 'bad' }]);
    expect(parsed.notes).toEqual([{ file: 'b.yaml', message: 'skipped' }]);
    expect(parsed).not.toHaveProperty('resources');
  });

  test('both are reachable through getReporter', async () => {
    expect((await getReporter('text'))?.format).toBe('text');
    expect((await getReporter('json'))?.fileName).toBe('persistguard.json');
  });
});

describe('text reporter: source-file findings', () => {
  test('the file is not repeated as the resource', () => {
    const f = finding({
      file: 'app/db.py',
      resource: { kind: 'File', name: 'app/db.py' },
      container: undefined,
      path: '/tmp/a.db',
      ruleId: 'sqlite-in-tmp',
    });
    const out = textReporter.render(report([f]), { rules: [] });
    expect(out).toContain('\n      path /tmp/a.db\n');
    expect(out).not.toContain('File app/db.py');
  });
});
