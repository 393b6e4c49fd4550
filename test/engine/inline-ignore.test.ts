/**
 * `# persistguard:ignore RULE REASON` comments in YAML: on the finding's line, alone on the line above it,
 * or above the resource's first line; a reason is required; reported as suppressed (kind `comment`), like
 * annotation exemptions, and governed by the same `allowAnnotationExemptions` switch.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../policies/config/types.js';
import { scanPaths } from '../../policies/engine/scan.js';
import { parseIgnoreComments } from '../../policies/engine/exemptions.js';

function deployment(name: string, env: string, header = ''): string {
  return `${header}apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: web
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/app:1.0.0
          env:
${env}`;
}

async function scan(text: string, config = defaultConfig()) {
  const dir = mkdtempSync(join(tmpdir(), 'pg-ignore-'));
  writeFileSync(join(dir, 'app.yaml'), text);
  return scanPaths(['app.yaml'], { config, cwd: dir, now: new Date('2026-06-01') });
}

const DATA = '            - name: DATA_DIR\n              value: /app/data';

describe('inline ignore comments', () => {
  test('on the line: suppressed with the reason, kind comment', async () => {
    const r = await scan(
      deployment('a', `${DATA}  # persistguard:ignore data-path-pvc cache only, rebuilt on start\n`),
    );
    expect(r.findings.map((f) => [f.ruleId, f.suppressed, f.suppression])).toEqual([
      ['data-path-pvc', true, { kind: 'comment', reason: 'cache only, rebuilt on start' }],
    ]);
    expect(r.summary).toMatchObject({ errors: 0, suppressed: 1 });
  });

  test('alone on the line above the finding', async () => {
    const env =
      '            - name: DATA_DIR\n              # persistguard:ignore data-path-pvc scratch\n              value: /app/data\n';
    const r = await scan(deployment('a', env));
    expect(r.findings[0]!.suppression).toEqual({ kind: 'comment', reason: 'scratch' });
  });

  test('above the resource: every finding of that rule in the document, and only that document', async () => {
    const text = `${deployment('a', `${DATA}\n`, '# persistguard:ignore data-path-pvc,sqlite-in-tmp throwaway demo\n')}---\n${deployment('b', `${DATA}\n`)}`;
    const r = await scan(text);
    const byName = Object.fromEntries(r.findings.map((f) => [f.resource.name, f.suppressed]));
    expect(byName).toEqual({ a: true, b: false });
  });

  test('another rule id, or no reason, does not suppress; a missing reason leaves a note saying so', async () => {
    const other = await scan(deployment('a', `${DATA}  # persistguard:ignore sqlite-in-tmp not this one\n`));
    expect(other.findings[0]!.suppressed).toBe(false);
    const bare = await scan(deployment('a', `${DATA}  # persistguard:ignore data-path-pvc\n`));
    expect(bare.findings[0]!.suppressed).toBe(false);
    expect(bare.notes).toContainEqual({
      file: 'app.yaml',
      message: expect.stringContaining('persistguard:ignore data-path-pvc is not honoured without a reason'),
    });
  });

  test('allowAnnotationExemptions: false turns them off, with a note', async () => {
    const config = { ...defaultConfig(), allowAnnotationExemptions: false };
    const r = await scan(deployment('a', `${DATA}  # persistguard:ignore data-path-pvc cache\n`), config);
    expect(r.findings[0]!.suppressed).toBe(false);
    expect(r.notes?.map((n) => n.message).join('\n')).toContain('allowAnnotationExemptions: false');
  });

  test('parser: a # inside a quoted value is not a comment; * means every rule', () => {
    expect(parseIgnoreComments('a: "x # persistguard:ignore data-path-pvc y"\n')).toEqual([]);
    expect(parseIgnoreComments('# persistguard:ignore * legacy\n', 5)).toEqual([
      { line: 5, rules: ['*'], reason: 'legacy', own: true },
    ]);
  });
});
