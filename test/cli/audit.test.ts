import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { auditCommand } from '../../cli/commands/audit.js';
import type { CliIO } from '../../cli/io.js';
import { FakeApiServer, type FakeObject } from '../webhook/cluster/fake-api-server.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// The compiled CLI exists after `npx tsc -p tsconfig.build.json` (npm test builds before jest runs).
const describeBuilt = existsSync(path.join(repoRoot, 'build/cli/commands/audit.js')) ? describe : describe.skip;

function runBin(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(repoRoot, 'bin/persistguard.js'), ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const io: CliIO = {
    stdout,
    stderr,
    cwd,
    env: {},
    readStdin: async () => '',
    stopSignal: new Promise(() => undefined),
  };
  const code = await auditCommand(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function podSpec(opts: {
  image: string;
  claim?: string;
  pull?: string;
  dataDir?: 'emptyDir';
}): Record<string, unknown> {
  const volumes = opts.claim
    ? [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim } }]
    : opts.dataDir
      ? [{ name: 'data', emptyDir: {} }]
      : [];
  return {
    containers: [
      {
        name: 'app',
        image: opts.image,
        ...(opts.pull ? { imagePullPolicy: opts.pull } : {}),
        volumeMounts: volumes.length ? [{ name: 'data', mountPath: '/var/lib/app' }] : [],
      },
    ],
    volumes,
  };
}

function deployment(ns: string, name: string, spec: Record<string, unknown>, replicas = 1): FakeObject {
  // List items carry no apiVersion/kind, like the real API server's.
  return {
    metadata: { namespace: ns, name, managedFields: [{ manager: 'kubectl' }] },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec },
    },
    status: { replicas },
  };
}

describe('persistguard audit against the list/watch test double API server', () => {
  let api: FakeApiServer;
  let kubeconfig: string;
  let cwd: string;

  beforeAll(async () => {
    api = new FakeApiServer();
    await api.start();
    kubeconfig = api.writeKubeconfig();
    cwd = mkdtempSync(path.join(tmpdir(), 'pg-audit-'));
    api.seed('/api/v1/persistentvolumeclaims', [
      {
        metadata: { namespace: 'shop', name: 'uploads' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path' },
      },
    ]);
    api.seed('/apis/storage.k8s.io/v1/storageclasses', [
      { metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Retain' },
    ]);
    api.seed('/api/v1/nodes', [
      {
        metadata: { name: 'node-a' },
        status: { nodeInfo: { kubeletVersion: 'v1.31.4+k3s1' }, images: [{ names: ['docker.io/kilo/app:1'] }] },
      },
    ]);
    api.seed('/apis/apps/v1/deployments', [
      deployment('shop', 'web', podSpec({ image: 'kilo/app:1', pull: 'Never', claim: 'uploads' })),
      deployment('shop', 'api', podSpec({ image: 'nginx:1.27', claim: 'does-not-exist' })),
      deployment('shop', 'worker', podSpec({ image: 'kilo/worker:7', pull: 'Never' })),
      deployment('blog', 'ok', podSpec({ image: 'nginx:1.27' })),
    ]);
    api.seed('/apis/apps/v1/replicasets', [
      {
        metadata: {
          namespace: 'shop',
          name: 'web-5d8f',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true }],
        },
        spec: { template: { spec: podSpec({ image: 'kilo/app:1', pull: 'Never', claim: 'gone-claim' }) } },
      },
    ]);
    api.seed('/api/v1/pods', [
      {
        metadata: {
          namespace: 'shop',
          name: 'web-5d8f-x',
          labels: { 'pod-template-hash': '5d8f' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', controller: true }],
        },
        spec: { nodeName: 'node-a', ...podSpec({ image: 'kilo/app:1', pull: 'Never', claim: 'uploads' }) },
        status: { phase: 'Running' },
      },
      {
        metadata: { namespace: 'shop', name: 'debug' },
        spec: podSpec({ image: 'busybox:1.36', claim: 'missing-too' }),
        status: { phase: 'Running' },
      },
    ]);
  });
  afterAll(async () => {
    await api.stop();
  });

  test('test double: JSON report judges live workloads with live lookups; owned objects are judged via their owner', async () => {
    const r = await run(['--kubeconfig', kubeconfig, '--format', 'json'], cwd);
    const report = JSON.parse(r.stdout) as {
      findings: {
        ruleId: string;
        resource: { kind: string; namespace?: string; name: string };
        path?: string;
        file: string;
        jsonPath?: string;
      }[];
      summary: { resources: number };
    };
    const ids = report.findings.map((f) => `${f.ruleId} ${f.resource.kind}/${f.resource.name}`).sort();
    // The claim does not exist in the cluster: an error at admission and in the audit.
    expect(ids).toContain('pvc-missing Deployment/api');
    expect(ids).toContain('pvc-missing Pod/debug');
    // kilo/worker:7 (pull Never) is on no node; kilo/app:1 is on node-a.
    expect(ids).toContain('k3s-image-import Deployment/worker');
    expect(ids.some((i) => i.startsWith('k3s-image-import Deployment/web'))).toBe(false);
    // The ReplicaSet and Pod owned by Deployment web are not judged again (their bad claim is never reported).
    expect(report.findings.some((f) => f.path === 'gone-claim')).toBe(false);
    expect(report.findings.some((f) => f.resource.name.startsWith('web-5d8f'))).toBe(false);
    expect(report.findings.some((f) => f.resource.namespace === 'blog')).toBe(false);
    const missing = report.findings.find((f) => f.ruleId === 'pvc-missing' && f.resource.name === 'api');
    expect(missing?.file).toBe('cluster:Deployment/shop/api');
    expect(missing?.jsonPath).toMatch(/claimName/);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
  });

  test('test double: --namespace limits the audit and --fail-on never exits 0', async () => {
    const r = await run(
      ['--kubeconfig', kubeconfig, '--format', 'json', '--namespace', 'blog', '--fail-on', 'never'],
      cwd,
    );
    const report = JSON.parse(r.stdout) as { findings: unknown[]; summary: { resources: number } };
    expect(report.findings).toEqual([]);
    expect(report.summary.resources).toBe(1);
    expect(api.requests.some((q) => q.path === '/apis/apps/v1/namespaces/blog/deployments')).toBe(true);
    expect(r.code).toBe(0);
  });

  test('test double: --apply-policy-reports server-side applies one PolicyReport per namespace', async () => {
    const out = path.join(cwd, 'reports', 'audit.yaml');
    const r = await run(
      ['--kubeconfig', kubeconfig, '--format', 'policyreport', '--output', out, '--apply-policy-reports'],
      cwd,
    );
    expect(r.stderr).toMatch(/applied 2 PolicyReport/);
    const applies = api.requests.filter((q) => q.method === 'PATCH');
    expect(applies.map((q) => q.path).sort()).toEqual([
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/blog/policyreports/persistguard-blog',
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/persistguard-shop',
    ]);
    for (const q of applies) {
      expect(q.contentType).toBe('application/apply-patch+yaml');
      expect(q.query).toMatchObject({ fieldManager: 'persistguard', force: 'true' });
    }
    const shop = api.get('/apis/wgpolicyk8s.io/v1alpha2/policyreports', 'shop', 'persistguard-shop') as unknown as {
      summary: { fail: number };
      results: { rule?: string }[];
    };
    expect(shop.summary.fail).toBeGreaterThan(0);
    expect(shop.results.some((x) => x.rule === 'pvc-missing')).toBe(true);
    // The file holds the same reports.
    const docs = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['PolicyReport', 'PolicyReport']);
    expect(r.code).toBe(1);
  });

  test('test double: text output by default', async () => {
    const r = await run(['--kubeconfig', kubeconfig], cwd);
    expect(r.stdout).toMatch(/pvc-missing/);
    expect(r.stdout).toMatch(/does-not-exist/);
    expect(r.code).toBe(1);
  });

  test('test double: a kind that cannot be listed (403) is reported, the rest is still audited, exit 2', async () => {
    api.forbidden.add('/apis/batch/v1/cronjobs');
    try {
      const r = await run(['--kubeconfig', kubeconfig, '--format', 'json'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot list cronjobs: .*HTTP 403.*cannot list resource "cronjobs"/);
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string }[] };
      expect(report.findings.some((f) => f.ruleId === 'pvc-missing')).toBe(true);
    } finally {
      api.forbidden.delete('/apis/batch/v1/cronjobs');
    }
  });

  test('usage and connection errors exit 2 with a clear message', async () => {
    await expect(run(['--format', 'nope', '--kubeconfig', kubeconfig], cwd)).rejects.toThrow(/--format must be one of/);
    await expect(run(['--kubeconfig', kubeconfig, '--in-cluster'], cwd)).rejects.toThrow(
      /either --kubeconfig or --in-cluster/,
    );
    const missing = await run(['--kubeconfig', path.join(cwd, 'nope.yaml')], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read kubeconfig .*nope\.yaml/);
    // A server that is down: the caches never sync and the audit says where it tried.
    const down = new FakeApiServer();
    await down.start();
    const kc = down.writeKubeconfig();
    down.failWith = 503;
    // No --sync-timeout: repeated failures end the wait early instead of the 60 s default.
    const r = await run(['--kubeconfig', kc], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/503/);
    expect(r.stderr).toMatch(new RegExp(`cannot read the cluster at ${down.url.replace(/[.]/g, '\\.')}.*not synced`));
    await down.stop();
  });
});

describeBuilt('bin/persistguard.js audit (child process) against the list/watch test double API server', () => {
  test('test double: the installed entry point audits the cluster, prints JSON and exits 1 on error findings', async () => {
    const api = new FakeApiServer();
    await api.start();
    try {
      api.seed('/apis/apps/v1/deployments', [
        deployment('shop', 'api', podSpec({ image: 'nginx:1.27', claim: 'does-not-exist' })),
      ]);
      const cwd = mkdtempSync(path.join(tmpdir(), 'pg-audit-bin-'));
      const r = await runBin(['audit', '--kubeconfig', api.writeKubeconfig(), '--format', 'json'], cwd);
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string; severity: string; file: string }[] };
      expect(report.findings.map((f) => [f.ruleId, f.severity, f.file])).toEqual([
        ['pvc-missing', 'error', 'cluster:Deployment/shop/api'],
      ]);
      expect(r.code).toBe(1);
    } finally {
      await api.stop();
    }
  });
});
