import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadText } from '../../policies/load/index.js';
import { createLocator } from '../../policies/locate/locate.js';
import type { Anchor, PathSegment, Project } from '../../policies/model/model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(repoRoot, '../shared/corpus');
const describeShared = existsSync(CORPUS) ? describe : describe.skip;

function allAnchors(p: Project): Anchor[] {
  const out: Anchor[] = [];
  for (const w of p.workloads) {
    out.push(
      w.at,
      ...Object.values(w.annotations).map((a) => a.at),
      ...w.volumes.map((v) => v.at),
      ...w.claimTemplates.map((c) => c.at),
    );
    if (w.replicasAt) out.push(w.replicasAt);
    for (const c of w.containers) {
      out.push(c.at, ...c.env.map((e) => e.at), ...c.command.map((x) => x.at), ...c.args.map((x) => x.at));
      for (const m of c.mounts) out.push(m.at, ...(m.readOnlyAt ? [m.readOnlyAt] : []));
      if (c.image) out.push(c.image.at);
      if (c.imagePullPolicy) out.push(c.imagePullPolicy.at);
    }
  }
  out.push(...p.claims.map((c) => c.at), ...p.storageClasses.map((s) => s.at), ...p.persistentVolumes.map((s) => s.at));
  for (const cm of p.configMaps) out.push(cm.at, ...Object.values(cm.data).map((d) => d.at));
  out.push(...p.autoscalers.map((h) => h.at), ...p.builds.map((b) => b.at));
  return out;
}

/** Also probes paths that do not exist, so "deepest existing node" agrees too. */
function withMissing(anchors: Anchor[]): Anchor[] {
  return anchors.flatMap((a): Anchor[] =>
    a.kind === 'node' ? [a, { ...a, path: [...a.path, 'missing', 0] as PathSegment[] }] : [a],
  );
}

function expectSamePositions(p: Project): number {
  const fast = createLocator();
  const slow = createLocator({ fastPath: false });
  const anchors = withMissing(allAnchors(p));
  for (const a of anchors) expect(fast(a)).toEqual(slow(a));
  return anchors.length;
}

describe('locate: the CST fast path and the composed document agree', () => {
  test('anchors, aliases, merges, flow and block styles, quoted keys, block scalars, empty values', () => {
    const text = [
      'x-env: &env',
      '  A: "1"',
      'services:',
      '  "web":',
      '    <<: *env',
      '    image: "nginx:1.27" # comment',
      '    environment: {DATA_DIR: /data, "Q K": v}',
      '    volumes: [ "data:/data", {type: tmpfs, target: /tmp} ]',
      '    labels:',
      '      io.persistguard.data-paths: >-',
      '        /data',
      '    command:',
      '    - sh',
      '    - -c',
      '    - |',
      '      run',
      '    env_file:',
      '  other:',
      '    environment: *env',
      'volumes:',
      '  data:',
      '',
    ].join('\n');
    expect(expectSamePositions(loadText('compose.yaml', text))).toBeGreaterThan(10);
  });

  test('generated Kubernetes documents (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const container = fc.record({
      name,
      image: fc.oneof(fc.constant('postgres:16'), name),
      env: fc.array(
        fc.record({ name: fc.constantFrom('DATA_DIR', 'X', 'Y'), value: fc.constantFrom('/data', 'a b', '') }),
        { maxLength: 3 },
      ),
      volumeMounts: fc.array(fc.record({ name, mountPath: fc.constantFrom('/data', '/tmp'), readOnly: fc.boolean() }), {
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(
        fc.array(container, { minLength: 1, maxLength: 3 }),
        fc.array(fc.record({ name, emptyDir: fc.constant({}) }), { maxLength: 2 }),
        fc.boolean(),
        (containers, volumes, flow) => {
          const obj = {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'w', annotations: { 'persistguard.io/data-paths': '/data' } },
            spec: { replicas: 2, template: { spec: { containers, volumes } } },
          };
          const text = flow ? JSON.stringify(obj, null, 2) : stringify(obj, { collectionStyle: 'any' });
          expectSamePositions(loadText(flow ? 'd.json' : 'd.yaml', text));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describeShared('locate: both paths agree on every anchor of the real corpus', () => {
  // Guarded: a skipped describe still runs its body (to collect tests); test.each refuses an empty table.
  const files = existsSync(CORPUS)
    ? readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort()
    : ['absent.yaml'];
  test.each(files)('%s', (f) => {
    expectSamePositions(loadText(f, readFileSync(path.join(CORPUS, f), 'utf8')));
  });
});
