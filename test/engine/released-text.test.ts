import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reportProject } from '../../policies/engine/scan.js';
import { loadPaths, loadText } from '../../policies/load/index.js';
import { docText, emptyProject, mergeProject, type DocRef } from '../../policies/model/model.js';
import { defaultConfig } from '../../policies/config/types.js';

// Two documents per file, a BOM and CRLF lines in one: the spans must point where the kept text did.
const manifest = (name: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}-config }
data: { a: b }
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: db
          image: postgres:16
          volumeMounts:
            - { name: data, mountPath: /var/lib/postgresql/data }
      volumes:
        - name: data
          emptyDir: {}
`;

const files: Record<string, string> = {
  'a.yaml': manifest('alpha'),
  'b.yaml': `\ufeff${manifest('beta').replace(/\n/g, '\r\n')}`,
  'c.yaml': manifest('gamma').replace(
    '---\napiVersion: apps/v1',
    '---\n# persistguard:ignore * a cache, rebuilt on start\napiVersion: apps/v1',
  ),
  'pod.json': JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'delta' },
      spec: {
        containers: [{ name: 'db', image: 'mysql:8.0', volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
    null,
    2,
  ),
};

const dirs: string[] = [];
function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-released-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const opts = { config: defaultConfig(), now: new Date('2026-06-01') };

describe('documents of scanned files keep no text; findings re-read their file', () => {
  test('the report equals the one from texts kept in memory', async () => {
    const dir = tree();
    const loaded = await loadPaths(['.'], { cwd: dir });
    const kept = emptyProject();
    for (const name of ['a.yaml', 'b.yaml', 'c.yaml', 'pod.json'])
      mergeProject(kept, loadText(name, files[name] as string));
    const fromDisk = reportProject(loaded, opts);
    const fromText = reportProject(kept, opts);
    expect(new Set(fromDisk.findings.map((f) => f.file))).toEqual(new Set(['a.yaml', 'b.yaml', 'c.yaml', 'pod.json']));
    expect(fromDisk.findings.some((f) => f.suppressed)).toBe(true);
    expect(fromDisk).toEqual(fromText);
  });

  test('documents hold a span, not their text; a document with an ignore comment keeps its text', async () => {
    const dir = tree();
    const loaded = await loadPaths(['.'], { cwd: dir });
    const refs = new Map<string, DocRef>();
    for (const w of loaded.workloads) if (w.at.kind === 'node') refs.set(w.at.doc.file, w.at.doc);
    const a = refs.get('a.yaml') as DocRef;
    expect(a.text).toBeUndefined();
    expect(a.span).toBeDefined();
    expect(docText(a)).toBe(
      (files['a.yaml'] as string).slice((files['a.yaml'] as string).indexOf('---\napiVersion: apps/v1')),
    );
    const b = refs.get('b.yaml') as DocRef;
    expect(docText(b)?.startsWith('---\r\napiVersion: apps/v1')).toBe(true);
    expect(refs.get('c.yaml')?.text).toContain('persistguard:ignore');
  });

  test('a file changed after loading gives findings without a line, never a wrong one', async () => {
    const dir = tree();
    const loaded = await loadPaths(['.'], { cwd: dir });
    writeFileSync(path.join(dir, 'a.yaml'), `# edited\n${files['a.yaml'] as string}`);
    const report = reportProject(loaded, opts);
    const inA = report.findings.filter((f) => f.file === 'a.yaml');
    expect(inA.length).toBeGreaterThan(0);
    for (const f of inA) {
      expect(f.line).toBe(0);
      expect(f.jsonPath).toBeDefined();
    }
    expect(report.findings.filter((f) => f.file === 'b.yaml').every((f) => f.line > 0)).toBe(true);
  });
});
