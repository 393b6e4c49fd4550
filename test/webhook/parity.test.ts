/**
 * Parity: the same manifests through `scanPaths` (what `persistguard scan` runs) and through the webhook's
 * `/validate` give the same rule ids per workload.
 *
 * The webhook judges one object at a time; what the CLI learns from the other documents of a file (claims,
 * storage classes, volumes, other workloads on a claim) the webhook learns from its cluster view. Here the
 * view is the CLI's own FileClusterView over the whole file, standing in for a cluster holding those objects.
 *
 * Not compared, because they come from text or files no admission request carries:
 * - `k3s-image-import`: needs build scripts, import steps and k3s signals found in the repository;
 * - findings that need a ConfigMap's contents (SQLite paths from a mounted ConfigMap) or an autoscaler's
 *   minReplicas: the ClusterView contract does not expose ConfigMaps or HPAs, so files containing those
 *   kinds are compared only on the rules those facts cannot change.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { scanPaths } from '../../policies/engine/scan.js';
import { loadPaths } from '../../policies/load/index.js';
import { fileClusterView } from '../../policies/engine/file-view.js';
import { defaultConfig } from '../../policies/config/types.js';
import { isValidatedKind } from '../../webhook/admission.js';
import { makeCertDir, REPO_ROOT, startTestServer, validate, type CertDir } from './helpers.js';

const TEXT_ONLY_RULES = new Set(['k3s-image-import']);
/** Rules whose verdict can depend on ConfigMaps (SQLite paths) or HPAs (replicas), which the view does not carry. */
const CONFIGMAP_OR_HPA_SENSITIVE = new Set([
  'sqlite-in-tmp',
  'sqlite-shared-volume',
  'data-path-pvc',
  'rwo-shared-claim',
  'readonly-data-mount',
]);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const GROUP_OF: Record<string, string> = {
  Pod: '',
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  Job: 'batch',
  CronJob: 'batch',
};

interface Manifest {
  kind: string;
  namespace?: string;
  name: string;
  object: Record<string, unknown>;
}

/** Kubernetes workload documents of a file that the webhook validates; compose files have none. */
function manifests(file: string): { workloads: Manifest[]; kinds: Set<string> } {
  const workloads: Manifest[] = [];
  const kinds = new Set<string>();
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) continue;
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string') continue;
    kinds.add(obj.kind);
    const apiVersion = String(obj.apiVersion ?? '');
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    if (!isValidatedKind(group ?? '', version ?? '', obj.kind) || GROUP_OF[obj.kind] !== group) continue;
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    if (typeof meta.name !== 'string') continue;
    workloads.push({
      kind: obj.kind,
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
      name: meta.name,
      object: obj,
    });
  }
  return { workloads, kinds };
}

const files = [...walk(path.join(REPO_ROOT, 'test/fixtures/rules')), ...walk(path.join(REPO_ROOT, 'examples'))]
  .map((f) => ({ file: f, ...manifests(f) }))
  .filter((f) => f.workloads.length > 0);

describe('parity between persistguard scan and /validate', () => {
  let certDir: CertDir;
  let comparedWithFindings = 0;
  beforeAll(() => {
    certDir = makeCertDir();
  });
  afterAll(() => certDir.cleanup());

  test('there are manifests to compare', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  test.each(files.map((f) => [path.relative(REPO_ROOT, f.file), f] as const))('%s', async (_rel, f) => {
    const config = defaultConfig();
    const cwd = path.dirname(f.file);
    const report = await scanPaths([f.file], { config, cwd });
    const project = await loadPaths([f.file], { cwd });
    const hasCmOrHpa = f.kinds.has('ConfigMap') || f.kinds.has('HorizontalPodAutoscaler');
    const compared = (rule: string) =>
      !TEXT_ONLY_RULES.has(rule) && !(hasCmOrHpa && CONFIGMAP_OR_HPA_SENSITIVE.has(rule));

    const t = await startTestServer(
      { mode: 'audit', view: fileClusterView(project) },
      { ...certDir, cleanup: () => undefined },
    );
    try {
      for (const [i, m] of f.workloads.entries()) {
        const uid = `parity-${i}`;
        const review = {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid,
            kind: { group: GROUP_OF[m.kind], version: 'v1', kind: m.kind },
            resource: { group: GROUP_OF[m.kind], version: 'v1', resource: `${m.kind.toLowerCase()}s` },
            name: m.name,
            ...(m.namespace ? { namespace: m.namespace } : {}),
            operation: 'CREATE',
            userInfo: { username: 'parity-test' },
            object: m.object,
            dryRun: false,
          },
        };
        const r = await validate(t.server.port, t.ca, review);
        expect(r.response.allowed).toBe(true); // audit mode
        const log = t.logs.lines.find((l) => l.uid === uid && l.msg === 'admission decision');
        const viaWebhook = ((log?.rules as string[] | undefined) ?? []).filter(compared).sort();
        const viaScan = [
          ...new Set(
            report.findings
              .filter(
                (x) =>
                  !x.suppressed &&
                  x.resource.kind === m.kind &&
                  x.resource.name === m.name &&
                  (x.resource.namespace ?? undefined) === m.namespace,
              )
              .map((x) => x.ruleId)
              .filter(compared),
          ),
        ].sort();
        if (viaScan.length > 0) comparedWithFindings++;
        expect({ workload: `${m.kind} ${m.namespace ?? ''}/${m.name}`, rules: viaWebhook }).toEqual({
          workload: `${m.kind} ${m.namespace ?? ''}/${m.name}`,
          rules: viaScan,
        });
      }
    } finally {
      await t.server.close();
    }
  });

  test('the comparison covered workloads that have findings, not only clean ones', () => {
    expect(comparedWithFindings).toBeGreaterThanOrEqual(8);
  });
});
