import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPaths } from '../../policies/load/index.js';
import type { Project } from '../../policies/model/model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(repoRoot, '../shared');
const CORPUS = path.join(SHARED, 'corpus');
const describeShared = existsSync(CORPUS) ? describe : describe.skip;

const folders = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];

async function loadFolder(name: string): Promise<Project> {
  // Each folder is one unit (a repo's worth of files), scanned as the CLI would with the corpus as cwd.
  return loadPaths([name], { cwd: CORPUS });
}

describeShared('real third-party files (../shared/corpus)', () => {
  test.each(folders)('%s loads without errors and yields a model', async (folder) => {
    const p = await loadFolder(folder);
    expect(p.errors).toEqual([]);
    expect(p.files).toBeGreaterThan(0);
    const things =
      p.workloads.length +
      p.claims.length +
      p.storageClasses.length +
      p.builds.length +
      p.imports.length +
      p.sqliteLiterals.length +
      p.notes.length +
      p.configMaps.length;
    // scripts/source loaders belong to another area: a folder of only scripts may legitimately yield nothing yet
    if (!/scripts/.test(folder)) expect(things).toBeGreaterThan(0);
  });

  test('cassandra: a StatefulSet with a claim template, and its mount resolves to it', async () => {
    const p = await loadFolder('kubernetes-examples-cassandra');
    const sts = p.workloads.find((w) => w.resource.kind === 'StatefulSet');
    expect(sts?.resource.name).toBe('cassandra');
    expect(sts?.replicas).toBe(3);
    expect(sts?.claimTemplates.map((c) => [c.name, c.fromTemplate])).toEqual([['cassandra-data', true]]);
    const mount = sts?.containers[0]?.mounts.find((m) => m.mountPath === '/var/lib/cassandra');
    expect(mount?.volume).toMatchObject({ kind: 'claimTemplate', claimName: 'cassandra-data' });
    expect(p.storageClasses.map((s) => [s.name, s.reclaimPolicy])).toEqual([['fast', undefined]]);
  });

  test('rook: StorageClass rook-ceph-block with reclaimPolicy Delete; claims name it', async () => {
    const p = await loadFolder('rook-examples');
    expect(p.storageClasses.find((s) => s.name === 'rook-ceph-block')).toMatchObject({
      reclaimPolicy: 'Delete',
      file: 'rook-examples/storageclass.yaml',
    });
    expect(p.claims.find((c) => c.name === 'mysql-pv-claim')?.storageClassName).toBe('rook-ceph-block');
    const mysql = p.workloads.find((w) => w.resource.name === 'wordpress-mysql');
    expect(mysql?.containers[0]?.mounts[0]?.volume).toMatchObject({
      kind: 'persistentVolumeClaim',
      claimName: 'mysql-pv-claim',
    });
  });

  test('ory-kratos quickstart: compose services with a DSN env var', async () => {
    const p = await loadFolder('ory-kratos');
    const compose = p.workloads.filter((w) => w.source === 'compose');
    expect(compose.length).toBeGreaterThan(0);
    const withDsn = compose.filter((w) => w.containers[0]?.env.some((e) => e.name === 'DSN'));
    expect(withDsn.length).toBeGreaterThan(0);
    expect(withDsn[0]?.file).toMatch(/^ory-kratos\/quickstart.*\.yml$/);
  });

  test('gcp cartservice: redis-cart /data on an emptyDir', async () => {
    const p = await loadFolder('gcp-microservices-demo');
    const redis = p.workloads.find((w) => w.resource.name === 'redis-cart');
    expect(redis?.containers[0]?.mounts.find((m) => m.mountPath === '/data')?.volume?.kind).toBe('emptyDir');
  });

  test('wordpress HPA (min 2) and RWO claim with replicas 4', async () => {
    const p = await loadFolder('gke-samples-cost-estimator-wordpress');
    expect(p.autoscalers[0]).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(p.workloads[0]?.replicas).toBe(4);
    expect(p.claims[0]?.accessModes).toEqual(['ReadWriteOnce']);
  });

  test('naabbasi: compose build without image gives the v2 and v1 names from the folder', async () => {
    const p = await loadFolder('naabbasi-nodejs-deploy');
    const images = p.builds.filter((b) => b.tool === 'compose').map((b) => b.image);
    // upstream the folder was `deploy`; here it is the corpus folder name
    expect(images).toEqual(['naabbasi-nodejs-deploy-ecommerce_app', 'naabbasi-nodejs-deploy_ecommerce_app']);
    expect(p.workloads.find((w) => w.resource.name === 'ecommerce_app')?.composeProject).toBe('naabbasi-nodejs-deploy');
    const dep = p.workloads.find((w) => w.source === 'kubernetes');
    expect(dep?.containers[0]?.imagePullPolicy?.value).toBe('Never');
  });

  test('getalby test postgres: data dir on a tmpfs', async () => {
    const p = await loadFolder('getalby-hub-tests-db-postgres');
    const kinds = p.workloads.flatMap((w) => w.containers.flatMap((c) => c.mounts.map((m) => m.volume?.kind)));
    expect(kinds).toContain('composeTmpfs');
  });

  test('influxdb: long-syntax bind mount and command words', async () => {
    const p = await loadFolder('docker-library-docs-influxdb');
    const c = p.workloads[0]?.containers[0];
    expect(c?.mounts[0]?.volume?.kind).toBe('composeBind');
    expect([...(c?.command ?? []), ...(c?.args ?? [])].map((x) => x.value).join(' ')).toContain(
      '--data-dir=/var/lib/influxdb3/data',
    );
  });
});
