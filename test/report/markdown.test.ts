import { describe, expect, test } from '@jest/globals';
import { markdownReporter, renderMarkdown } from '../../policies/report/markdown.js';
import { finding, RULES, sampleReport } from './fixtures.js';

describe('Markdown report', () => {
  test('totals, a table per file with rule links, suppressed and unreadable files listed', () => {
    const md = markdownReporter.render(sampleReport(), { rules: RULES });
    expect(md).toMatch(/^## persistguard: 2 errors, 1 warning, 1 file not checked\n/);
    expect(md).toContain(
      '**2** errors · **1** warning · 1 suppressed · 5 resources in 5 files checked · **1** file error',
    );
    expect(md).toContain('### `k8s/db.yaml`');
    expect(md).toContain(
      '| :x: | [data-path-pvc](https://github.com/persistguard/persistguard/blob/main/docs/rules/data-path-pvc.md) | Deployment shop/db | postgres | `/var/lib/postgresql/data` | 24 |',
    );
    expect(md).toContain('**Fix:** Mount a PersistentVolumeClaim');
    expect(md).toContain('### Suppressed findings');
    expect(md).toContain('scratch data, rebuilt on start (annotation)');
    expect(md).toContain('`k8s/broken.yaml:3:5`: bad indentation');
    expect(md).toContain('Helm template skipped');
  });

  test('table cells cannot break the table or inject HTML', () => {
    const report = sampleReport();
    report.findings = [finding({ message: 'a | b\nc <script>alert(1)</script>' })];
    const md = markdownReporter.render(report, { rules: RULES });
    const row = md.split('\n').find((l) => l.includes('alert'))!;
    // A newline in a message is shown as an escape: a name cannot start a new table row.
    expect(row).toContain('a \\| b\\\\nc &lt;script&gt;');
    expect(row).not.toContain('<script>');
  });

  test('A1: a lone \\r in a file name cannot end the heading code span and let HTML or @mentions through', () => {
    const report = sampleReport();
    const file = 'k8s/x\r<img src=x onerror=alert(1)> @octocat <b>b</b>.yaml';
    report.findings = [
      finding({
        file,
        message: 'ping @octocat and #12 <img src=x>',
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'db\r| x | y |' },
      }),
    ];
    report.errors = [];
    report.notes = [];
    const md = markdownReporter.render(report, { rules: RULES });
    expect(md).not.toMatch(/\r/);
    // Raw HTML appears only inside the heading's code span, which is one span on one line (inert there).
    for (const line of md.split('\n').filter((l) => /<img|<b>/.test(l))) expect(line).toMatch(/^### `[^`]*`$/);
    expect(md).toContain('### `k8s/x\\r<img src=x onerror=alert(1)> @octocat <b>b</b>.yaml`');
    const row = md.split('\n').find((l) => l.includes('ping'))!;
    expect(row).toContain('@\u200boctocat');
    expect(row).toContain('#\u200b12');
    expect(row).toContain('&lt;img src=x&gt;');
    // The resource name stays in its cell: its pipes are escaped, its \r shown.
    expect(row).toContain('Deployment db\\\\r\\| x \\| y \\|');
    // A digest is not a mention.
    expect(
      markdownReporter.render({ ...report, findings: [finding({ message: 'img@sha256:ab' })] }, { rules: RULES }),
    ).toContain('img@sha256:ab');
  });

  test('long tables collapse behind <details>', () => {
    const report = sampleReport();
    report.findings = Array.from({ length: 40 }, (_, i) => finding({ line: i + 1, container: `c${i}` }));
    const md = markdownReporter.render(report, { rules: RULES });
    expect(md).toContain('<details><summary>40 findings in k8s/db.yaml</summary>');
  });

  test('stays under the byte budget and says how much was cut', () => {
    const report = sampleReport();
    report.findings = Array.from({ length: 5000 }, (_, i) =>
      finding({ line: i + 1, container: `container-${i}`, message: 'x'.repeat(200) }),
    );
    const md = renderMarkdown(report, { rules: RULES, maxBytes: 64 * 1024 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(64 * 1024);
    const cut = /> (\d+) more lines left out/.exec(md);
    expect(cut).not.toBeNull();
    const shown = md.split('\n').filter((l) => l.startsWith('| :x:')).length;
    expect(shown + Number(cut![1])).toBe(5000);
    expect(md.trimEnd().endsWith('list every finding.')).toBe(true);
    // the default budget fits all of them under GitHub's 1 MiB
    const full = renderMarkdown(report, { rules: RULES });
    expect(Buffer.byteLength(full)).toBeLessThan(1024 * 1024);
  });

  test('baseline: existing findings are listed apart and do not count as errors', () => {
    const report = sampleReport();
    report.findings = [
      finding({ baseline: 'existing' }),
      finding({ container: 'new-one', baseline: 'new', severity: 'warning' }),
    ];
    const md = markdownReporter.render(report, { rules: RULES });
    expect(md).toMatch(/^## persistguard: 1 warning, 1 file not checked\n/);
    expect(md).toContain('1 existing (baseline)');
    expect(md).toContain('### Existing findings');
  });

  test('a clean report says so', () => {
    const report = sampleReport();
    report.findings = [];
    report.errors = [];
    expect(markdownReporter.render(report, { rules: RULES })).toContain('No data-loss risks found.');
  });
});

describe('Markdown escaping', () => {
  test('paired `code` in rule texts stays code; stray marks and globs are shown literally', () => {
    const report = sampleReport();
    report.findings = [
      finding({
        message: 'image ghcr.io/acme/* and kilo/* are local; a stray ` tick',
        remediation: 'Use `reclaimPolicy: Retain` for data claims',
      }),
    ];
    const md = markdownReporter.render(report, { rules: RULES });
    expect(md).toContain('image ghcr.io/acme/\\* and kilo/\\* are local; a stray \\` tick');
    expect(md).toContain('**Fix:** Use `reclaimPolicy: Retain` for data claims');
  });

  test('pipes inside code spans are still escaped so the row keeps its columns', () => {
    const report = sampleReport();
    report.findings = [finding({ remediation: 'run `docker save x | k3s ctr images import -`' })];
    const row = markdownReporter
      .render(report, { rules: RULES })
      .split('\n')
      .find((l) => l.includes('docker save'))!;
    expect(row).toContain('`docker save x \\| k3s ctr images import -`');
    expect(row.split(/(?<!\\)\|/).length).toBe(9);
  });
});

describe('Markdown headline', () => {
  test('files that could not be checked are in the headline, never "no data-loss risks"', () => {
    const report = sampleReport();
    report.findings = [];
    const md = markdownReporter.render(report, { rules: RULES });
    expect(md).toMatch(/^## persistguard: 1 file not checked\n/);
    expect(md).not.toContain('No data-loss risks found');
  });
});
