/**
 * The real webhook server answering from the real informer caches, which list and watch the list/watch
 * TEST DOUBLE API server: what the cluster knows (missing claims, images on nodes) changes verdicts, and a
 * lost watch shows on /readyz until the informers reconnect by themselves.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../../policies/config/types.js';
import { createLiveClusterView, type InformerClusterView } from '../../../webhook/cluster/index.js';
import { startWebhookServer, type WebhookServer } from '../../../webhook/server.js';
import { FakeApiServer, waitFor, type FakeObject } from './fake-api-server.js';

const NODES = '/api/v1/nodes';
const PVC = '/api/v1/persistentvolumeclaims';

interface Reply {
  status: number;
  body: {
    response?: { uid: string; allowed: boolean; status?: { code?: number; message?: string }; warnings?: string[] };
    [k: string]: unknown;
  };
}

function call(port: number, ca: string, method: string, urlPath: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method,
        ca,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply['body'] });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { raw: text } });
          }
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

let uid = 0;
function review(object: FakeObject): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++uid}`,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      requestKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      requestResource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

function deployment(name: string, opts: { image: string; pull?: string; claim?: string }): FakeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace: 'shop', name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: opts.image,
              ...(opts.pull ? { imagePullPolicy: opts.pull } : {}),
              ...(opts.claim ? { volumeMounts: [{ name: 'data', mountPath: '/srv/data' }] } : {}),
            },
          ],
          ...(opts.claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim } }] } : {}),
        },
      },
    },
  };
}

describe('webhook server + informer view against the list/watch test double API server', () => {
  let api: FakeApiServer;
  let view: InformerClusterView;
  let server: WebhookServer;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    api = new FakeApiServer();
    await api.start();
    api.seed(PVC, [{ metadata: { namespace: 'shop', name: 'uploads' }, spec: { accessModes: ['ReadWriteOnce'] } }]);
    api.seed(NODES, [{ metadata: { name: 'node-a' }, status: { images: [{ names: ['docker.io/kilo/app:1'] }] } }]);
    dir = mkdtempSync(path.join(tmpdir(), 'pg-webhook-live-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'tls.key'),
        '-out',
        path.join(dir, 'tls.crt'),
        '-days',
        '1',
        '-subj',
        '/CN=persistguard-webhook',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(path.join(dir, 'tls.crt'), 'utf8');
    view = await createLiveClusterView({ kubeconfig: api.writeKubeconfig(), backoff: { baseMs: 20, capMs: 200 } });
    const config = { ...defaultConfig(), target: 'k3s' as const };
    server = await startWebhookServer({
      config,
      mode: 'enforce',
      view,
      onCacheMiss: 'allow',
      onError: 'allow',
      tlsCertFile: path.join(dir, 'tls.crt'),
      tlsKeyFile: path.join(dir, 'tls.key'),
      port: 0,
      host: '127.0.0.1',
      shutdownGraceMs: 500,
    });
  });

  afterAll(async () => {
    await server?.close();
    await view?.stop();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function readyz(): Promise<number> {
    return (await call(server.port, ca, 'GET', '/readyz')).status;
  }

  test('test double: /readyz is not ready until every informer synced, then ready', async () => {
    expect(await readyz()).toBe(503);
    await view.start();
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      status = await readyz();
      if (status !== 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(200);
  });

  test('test double: a claim missing from the cluster is denied; an existing one is allowed', async () => {
    const bad = await call(
      server.port,
      ca,
      'POST',
      '/validate',
      review(deployment('api', { image: 'nginx:1.27', claim: 'nope' })),
    );
    expect(bad.status).toBe(200);
    expect(bad.body.response?.allowed).toBe(false);
    expect(bad.body.response?.status?.code).toBe(403);
    expect(bad.body.response?.status?.message).toMatch(/pvc-missing/);
    const good = await call(
      server.port,
      ca,
      'POST',
      '/validate',
      review(deployment('web', { image: 'nginx:1.27', claim: 'uploads' })),
    );
    expect(good.body.response?.allowed).toBe(true);
    // A claim created afterwards reaches the cache by watch: the same request is now allowed.
    api.upsert(PVC, { metadata: { namespace: 'shop', name: 'nope' }, spec: { accessModes: ['ReadWriteOnce'] } });
    await waitFor('claim in cache', () => view.getClaim('shop', 'nope') !== undefined);
    const now = await call(
      server.port,
      ca,
      'POST',
      '/validate',
      review(deployment('api', { image: 'nginx:1.27', claim: 'nope' })),
    );
    expect(now.body.response?.allowed).toBe(true);
  });

  test('test double: a local image on no node is denied with the import command; once a node has it, allowed', async () => {
    const present = await call(
      server.port,
      ca,
      'POST',
      '/validate',
      review(deployment('app', { image: 'kilo/app:1', pull: 'Never' })),
    );
    expect(present.body.response?.allowed).toBe(true);
    const absent = await call(
      server.port,
      ca,
      'POST',
      '/validate',
      review(deployment('app', { image: 'kilo/app:2', pull: 'Never' })),
    );
    expect(absent.body.response?.allowed).toBe(false);
    expect(absent.body.response?.status?.message).toMatch(/k3s-image-import/);
    expect(absent.body.response?.status?.message).toMatch(/k3s ctr images import/);
    api.upsert(NODES, {
      metadata: { name: 'node-a' },
      status: { images: [{ names: ['docker.io/kilo/app:1'] }, { names: ['docker.io/kilo/app:2'] }] },
    });
    await waitFor('image on node', () => view.imagePresence('kilo/app:2') === 'present');
    const imported = await call(
      server.port,
      ca,
      'POST',
      '/validate',
      review(deployment('app', { image: 'kilo/app:2', pull: 'Never' })),
    );
    expect(imported.body.response?.allowed).toBe(true);
  });

  test('test double: a lost watch makes /readyz fail until the informers reconnect on their own', async () => {
    api.failWith = 503;
    api.dropWatches();
    let status = 200;
    for (let i = 0; i < 400 && status === 200; i++) {
      status = await readyz();
      if (status === 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(503);
    api.failWith = undefined;
    for (let i = 0; i < 400 && status !== 200; i++) {
      status = await readyz();
      if (status !== 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(200);
    expect(view.status().every((s) => s.synced && s.restarts >= 1)).toBe(true);
  });
});
