import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { backoffDelay, createLiveClusterView, type InformerClusterView } from '../../../webhook/cluster/index.js';
import { FakeApiServer, waitFor, type FakeObject } from './fake-api-server.js';

const PVC = '/api/v1/persistentvolumeclaims';
const PV = '/api/v1/persistentvolumes';
const SC = '/apis/storage.k8s.io/v1/storageclasses';
const NODES = '/api/v1/nodes';
const PODS = '/api/v1/pods';

function claim(ns: string, name: string, extra: Record<string, unknown> = {}): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      namespace: ns,
      name,
      labels: { 'persistguard.io/protected': 'true', team: 'x' },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra },
  };
}

function node(name: string, images: string[][], kubeletVersion = 'v1.31.2'): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { images: images.map((names) => ({ names, sizeBytes: 1234 })), nodeInfo: { kubeletVersion } },
  };
}

function pod(
  ns: string,
  name: string,
  claimName: string,
  owner?: { kind: string; name: string },
  extra: { hash?: string; readOnly?: boolean; phase?: string } = {},
): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: ns,
      name,
      labels: extra.hash ? { 'pod-template-hash': extra.hash } : {},
      ownerReferences: owner
        ? [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true, uid: 'u' }]
        : undefined,
    },
    spec: {
      nodeName: 'node-a',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
      containers: [
        {
          name: 'app',
          image: 'kilo/app:1',
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: extra.readOnly === true }],
        },
      ],
    },
    status: { phase: extra.phase ?? 'Running' },
  };
}

function seedCluster(api: FakeApiServer): void {
  api.seed(PVC, [
    claim('shop', 'db-data', { storageClassName: 'local-path', volumeName: 'pv-db' }),
    claim('shop', 'uploads'),
  ]);
  api.seed(PV, [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-db' },
      spec: {
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'local-path',
        accessModes: ['ReadWriteOnce'],
        claimRef: { namespace: 'shop', name: 'db-data' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-uploads' },
      spec: {
        persistentVolumeReclaimPolicy: 'Retain',
        accessModes: ['ReadWriteOnce'],
        claimRef: { namespace: 'shop', name: 'uploads' },
      },
    },
  ]);
  api.seed(SC, [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'local-path',
        creationTimestamp: '2024-01-01T00:00:00Z',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'nfs', creationTimestamp: '2024-02-01T00:00:00Z' },
      provisioner: 'nfs.csi.k8s.io',
      reclaimPolicy: 'Retain',
    },
  ]);
  api.seed(NODES, [
    node('node-a', [['docker.io/kilo/app:1', 'docker.io/kilo/app@sha256:aaaa'], ['docker.io/library/postgres:16']]),
    node('node-b', [['ghcr.io/acme/api:2.0']]),
  ]);
  api.seed(PODS, [
    pod('shop', 'web-7d9f8c6b5-abcde', 'uploads', { kind: 'ReplicaSet', name: 'web-7d9f8c6b5' }, { hash: '7d9f8c6b5' }),
    pod('shop', 'web-7d9f8c6b5-fghij', 'uploads', { kind: 'ReplicaSet', name: 'web-7d9f8c6b5' }, { hash: '7d9f8c6b5' }),
    pod('shop', 'db-0', 'db-data', { kind: 'StatefulSet', name: 'db' }),
    pod('shop', 'reader', 'uploads', undefined, { readOnly: true }),
    pod('shop', 'done-job-x', 'uploads', { kind: 'Job', name: 'nightly-29012345' }, { phase: 'Succeeded' }),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'shop', name: 'no-claims' },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    },
  ]);
}

describe('backoff (pure)', () => {
  test('grows exponentially, stays within [exp/2, exp] and is capped', () => {
    const opts = { baseMs: 100, capMs: 5_000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 0)).toBe(400);
    expect(backoffDelay(3, opts, () => 1)).toBe(800);
    expect(backoffDelay(20, opts, () => 1)).toBe(5_000);
    expect(backoffDelay(1000, opts, () => 0.5)).toBe(3_750);
  });
});

describe('live cluster view against the list/watch test double API server', () => {
  let api: FakeApiServer;
  let view: InformerClusterView;
  let logs: { event: string; fields: Record<string, unknown> }[];

  beforeAll(async () => {
    api = new FakeApiServer();
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
  });

  beforeEach(async () => {
    // Fresh collections per test: a new server state is simplest to reason about.
    for (const c of [PVC, PV, SC, NODES, PODS])
      for (const o of api.list(c)) api.remove(c, o.metadata.namespace, o.metadata.name);
    for (const c of [PVC, PV, SC, NODES, PODS]) api.compact(c);
    api.failWith = undefined;
    api.goneStyle = 'event';
    seedCluster(api);
    logs = [];
    view = await createLiveClusterView({
      kubeconfig: api.writeKubeconfig(),
      backoff: { baseMs: 20, capMs: 200 },
      pageSize: 2,
      log: (event, fields) => logs.push({ event, fields }),
    });
  });
  afterEach(async () => {
    await view.stop();
  });

  test('test double: not ready before start, ready after every informer listed; lookups answer from the cache', async () => {
    expect(view.ready()).toBe(false);
    expect(view.imagePresence('kilo/app:1')).toBe('unknown');
    expect(view.knowsClaimsIn('shop')).toBe(false);
    await view.start();
    await view.waitForSync(10_000);
    await waitFor('ready', () => view.ready());

    const c = view.getClaim('shop', 'db-data');
    expect(c).toMatchObject({
      name: 'db-data',
      namespace: 'shop',
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'local-path',
      volumeName: 'pv-db',
    });
    // Only persistguard.io/* labels are kept (memory); managedFields and others are dropped.
    expect(c?.labels).toEqual({ 'persistguard.io/protected': 'true' });
    expect(c?.at).toMatchObject({ kind: 'node', doc: { file: 'cluster:PersistentVolumeClaim/shop/db-data' } });
    expect(view.getClaim('shop', 'missing')).toBeUndefined();
    expect(view.getClaim('other', 'db-data')).toBeUndefined();
    expect(view.knowsClaimsIn('shop')).toBe(true);
    expect(view.knowsClaimsIn('empty-namespace')).toBe(true);

    expect(view.getStorageClass('nfs')).toMatchObject({
      provisioner: 'nfs.csi.k8s.io',
      reclaimPolicy: 'Retain',
      isDefault: false,
    });
    expect(view.defaultStorageClass()?.name).toBe('local-path');
    expect(view.getPersistentVolume('pv-uploads')?.reclaimPolicy).toBe('Retain');
    expect(view.boundVolume('shop', 'db-data')?.name).toBe('pv-db');
    // No volumeName on the claim: found through the PV's claimRef.
    expect(view.boundVolume('shop', 'uploads')?.name).toBe('pv-uploads');
    expect(view.boundVolume('shop', 'nope')).toBeUndefined();

    const byName = Object.fromEntries(view.status().map((s) => [s.resource, s]));
    expect(byName.persistentvolumeclaims).toMatchObject({ synced: true, objects: 2, restarts: 0 });
    expect(byName.nodes).toMatchObject({ synced: true, objects: 2 });
    // Pods without claims and finished pods are not kept.
    expect(byName.pods).toMatchObject({ objects: 4 });
    // pageSize 2: the pods list took more than one page.
    expect(api.requests.filter((r) => r.path === PODS && r.query.continue).length).toBeGreaterThan(0);
  });

  test('test double: node images match across spellings and digests, per node and on any node', async () => {
    await view.start();
    await view.waitForSync(10_000);
    for (const spelling of [
      'kilo/app:1',
      'docker.io/kilo/app:1',
      'index.docker.io/kilo/app:1',
      'kilo/app@sha256:aaaa',
      'docker.io/kilo/app:1@sha256:aaaa',
      'postgres:16',
      'library/postgres:16',
    ]) {
      expect([spelling, view.imagePresence(spelling)]).toEqual([spelling, 'present']);
      expect([spelling, view.imagePresence(spelling, 'node-a')]).toEqual([spelling, 'present']);
      expect([spelling, view.imagePresence(spelling, 'node-b')]).toEqual([spelling, 'absent']);
    }
    expect(view.imagePresence('kilo/app:2')).toBe('absent');
    expect(view.imagePresence('kilo/app')).toBe('absent'); // :latest is another image
    expect(view.imagePresence('ghcr.io/acme/api:2.0', 'node-b')).toBe('present');
    expect(view.imagePresence('kilo/app:1', 'node-that-does-not-exist')).toBe('unknown');

    // An import on node-b arrives as a MODIFIED event.
    api.upsert(NODES, node('node-b', [['ghcr.io/acme/api:2.0'], ['docker.io/kilo/app:2']]));
    await waitFor('kilo/app:2 on node-b', () => view.imagePresence('kilo/app:2', 'node-b') === 'present');
    // Node deleted: its images are gone from "any node" too.
    api.remove(NODES, undefined, 'node-a');
    await waitFor('node-a images gone', () => view.imagePresence('postgres:16') === 'absent');
    expect(view.imagePresence('kilo/app:1')).toBe('absent');
  });

  test("test double: flavor() follows the nodes' kubelet versions as they join and leave", async () => {
    expect(view.flavor()).toBeUndefined();
    await view.start();
    await view.waitForSync(10_000);
    expect(view.flavor()).toBe('kubernetes');
    api.upsert(NODES, node('node-k3s', [['docker.io/kilo/app:3']], 'v1.31.2+k3s1'));
    await waitFor('k3s node seen', () => view.flavor() === 'k3s');
    api.remove(NODES, undefined, 'node-k3s');
    await waitFor('k3s node gone', () => view.flavor() === 'kubernetes');
  });

  test('test double: claim users are grouped by owning workload (ReplicaSet → Deployment), with replicas and readOnly', async () => {
    await view.start();
    await view.waitForSync(10_000);
    const users = view.claimUsers('shop', 'uploads');
    const sorted = [...users].sort((a, b) => a.resource.name.localeCompare(b.resource.name));
    expect(sorted).toEqual([
      {
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'reader' },
        replicas: 1,
        perNode: false,
        readOnly: true,
      },
      {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
        replicas: 2,
        perNode: false,
        readOnly: false,
      },
    ]);
    // The workload under evaluation is excluded.
    expect(
      view
        .claimUsers('shop', 'uploads', { kind: 'Deployment', namespace: 'shop', name: 'web' })
        .map((u) => u.resource.name),
    ).toEqual(['reader']);
    expect(view.claimUsers('shop', 'db-data').map((u) => `${u.resource.kind}/${u.resource.name}`)).toEqual([
      'StatefulSet/db',
    ]);
    expect(view.claimUsers('other', 'uploads')).toEqual([]);
    // The reverse lookup a `kubectl scale` is judged with: the claims one workload's pods mount.
    expect([...view.workloadClaims('shop', 'Deployment', 'web')]).toEqual([['uploads', false]]);
    expect([...view.workloadClaims('shop', 'Pod', 'reader')]).toEqual([['uploads', true]]);
    expect(view.workloadClaims('other', 'Deployment', 'web').size).toBe(0);

    // A pod deleted by the watch leaves the index; a DaemonSet pod is per-node.
    api.remove(PODS, 'shop', 'reader');
    api.upsert(PODS, pod('shop', 'agent-x1', 'uploads', { kind: 'DaemonSet', name: 'agent' }));
    await waitFor('agent listed', () =>
      view.claimUsers('shop', 'uploads').some((u) => u.resource.kind === 'DaemonSet'),
    );
    const agent = view.claimUsers('shop', 'uploads').find((u) => u.resource.kind === 'DaemonSet');
    expect(agent).toMatchObject({ perNode: true, replicas: undefined });
    expect(view.claimUsers('shop', 'uploads').some((u) => u.resource.name === 'reader')).toBe(false);
    // A pod that finishes stops being a user.
    api.upsert(PODS, pod('shop', 'agent-x1', 'uploads', { kind: 'DaemonSet', name: 'agent' }, { phase: 'Failed' }));
    await waitFor('agent gone', () => !view.claimUsers('shop', 'uploads').some((u) => u.resource.kind === 'DaemonSet'));
  });

  test('test double: ADDED / MODIFIED / DELETED / BOOKMARK events update the cache without relisting', async () => {
    await view.start();
    await view.waitForSync(10_000);
    await waitFor('watches open', () => api.openWatches() === 5);
    const listsBefore = api.lists.get(PVC) ?? 0;
    api.upsert(PVC, claim('shop', 'new-claim'));
    await waitFor('new claim', () => view.getClaim('shop', 'new-claim') !== undefined);
    api.upsert(PVC, claim('shop', 'new-claim', { accessModes: ['ReadWriteMany'] }));
    await waitFor('modified claim', () => view.getClaim('shop', 'new-claim')?.accessModes[0] === 'ReadWriteMany');
    api.bookmark(PVC);
    api.remove(PVC, 'shop', 'new-claim');
    await waitFor('deleted claim', () => view.getClaim('shop', 'new-claim') === undefined);
    api.upsert(SC, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'fast',
        creationTimestamp: '2025-01-01T00:00:00Z',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'x',
    });
    // Two default classes: the newest wins, as in the API server.
    await waitFor('newest default class', () => view.defaultStorageClass()?.name === 'fast');
    expect(api.lists.get(PVC) ?? 0).toBe(listsBefore);
    expect(view.ready()).toBe(true);
  });

  test('test double: a 410 Gone ERROR event forces a relist that picks up changes missed meanwhile', async () => {
    await view.start();
    await view.waitForSync(10_000);
    await waitFor('watches open', () => api.openWatches(PVC) === 1);
    const listsBefore = api.lists.get(PVC) ?? 0;
    // A change the watch never delivers (seeded silently), then etcd compaction expires the watch.
    api.seed(PVC, [claim('shop', 'missed-while-compacted')]);
    api.expireWatches(PVC);
    await waitFor('relisted', () => (api.lists.get(PVC) ?? 0) > listsBefore);
    await waitFor('missed claim present', () => view.getClaim('shop', 'missed-while-compacted') !== undefined);
    expect(logs.some((l) => l.event === 'informer_relist' && l.fields.resource === 'persistentvolumeclaims')).toBe(
      true,
    );
    await waitFor('ready again', () => view.ready());
  });

  test('test double: an HTTP 410 on watch resume also forces a relist', async () => {
    api.goneStyle = 'http';
    await view.start();
    await view.waitForSync(10_000);
    await waitFor('watches open', () => api.openWatches(NODES) === 1);
    const listsBefore = api.lists.get(NODES) ?? 0;
    // A change the watch never delivers, then compaction: resuming from the old resourceVersion is 410.
    api.seed(NODES, [node('node-c', [['kilo/worker:3']])]);
    api.compact(NODES);
    // Drop the connection: the resume from the old resourceVersion answers HTTP 410.
    api.dropWatches(NODES);
    await waitFor('relisted nodes', () => (api.lists.get(NODES) ?? 0) > listsBefore);
    await waitFor('node-c image present', () => view.imagePresence('kilo/worker:3', 'node-c') === 'present');
    await waitFor('ready again', () => view.ready());
  });

  test('test double: a dropped connection makes the view not ready, then it reconnects by itself and is ready again', async () => {
    await view.start();
    await view.waitForSync(10_000);
    await waitFor('watches open', () => api.openWatches() === 5);
    expect(view.ready()).toBe(true);
    // The API server goes away: every watch socket is destroyed and requests fail while it is down.
    api.failWith = 503;
    expect(api.dropWatches()).toBe(5);
    await waitFor('not ready while the watch is lost', () => !view.ready());
    expect(view.imagePresence('kilo/app:1')).toBe('unknown');
    expect(view.knowsClaimsIn('shop')).toBe(false);
    // Backoff: the informer keeps retrying, each attempt counted as a restart.
    await waitFor('several retries', () => view.status().every((s) => s.restarts >= 2));
    const lost = view.status().find((s) => s.resource === 'nodes');
    expect(lost?.synced).toBe(false);
    expect(lost?.lastError).toMatch(/503|Service Unavailable|test double/);
    // The server comes back: no process restart needed.
    api.failWith = undefined;
    api.upsert(PVC, claim('shop', 'after-outage'));
    await waitFor('ready after reconnect', () => view.ready(), 15_000);
    await waitFor('event after reconnect', () => view.getClaim('shop', 'after-outage') !== undefined);
    expect(view.imagePresence('kilo/app:1')).toBe('present');
    expect(logs.some((l) => l.event === 'informer_error')).toBe(true);
  });

  test('test double: a watch the API server never answers times out, counts as lost, and is retried', async () => {
    await view.stop();
    view = await createLiveClusterView({
      kubeconfig: api.writeKubeconfig(),
      backoff: { baseMs: 20, capMs: 100 },
      connectTimeoutMs: 150,
    });
    await view.start();
    await view.waitForSync(10_000);
    await waitFor('watches open', () => api.openWatches() === 5);
    api.hangWatches = true;
    api.dropWatches();
    await waitFor('hung watch requests', () => api.hungWatches > 0);
    await waitFor('not ready while watches hang', () => !view.ready());
    await waitFor('timeouts recorded', () => view.status().some((s) => /no response within/.test(s.lastError ?? '')));
    api.hangWatches = false;
    await waitFor('ready again', () => view.ready(), 15_000);
    expect(view.getClaim('shop', 'db-data')).toBeDefined();
  });

  test('test double: a periodic resync relists every informer while staying ready', async () => {
    await view.stop();
    view = await createLiveClusterView({
      kubeconfig: api.writeKubeconfig(),
      backoff: { baseMs: 20, capMs: 200 },
      resyncMs: 150,
    });
    await view.start();
    await view.waitForSync(10_000);
    const before = api.lists.get(SC) ?? 0;
    api.seed(SC, [
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'silent' }, provisioner: 'y' },
    ]);
    await waitFor('resync relisted', () => (api.lists.get(SC) ?? 0) >= before + 2);
    await waitFor('silently added class seen', () => view.getStorageClass('silent') !== undefined);
    expect(view.status().every((s) => s.restarts === 0)).toBe(true);
  });

  test("test double: a wrong token is reported as the informers' error and never becomes ready", async () => {
    const kc = api.writeKubeconfig();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bad = `${kc}.bad`;
    writeFileSync(bad, readFileSync(kc, 'utf8').replace(api.token, 'wrong-token'));
    const badView = await createLiveClusterView({ kubeconfig: bad, backoff: { baseMs: 20, capMs: 100 } });
    await badView.start();
    try {
      await waitFor('an error recorded', () => badView.status().every((s) => s.restarts >= 1));
      expect(badView.ready()).toBe(false);
      expect(badView.status()[0]?.lastError).toMatch(/401/);
      await expect(badView.waitForSync(200)).rejects.toThrow(/not synced/);
    } finally {
      await badView.stop();
    }
  });
});
