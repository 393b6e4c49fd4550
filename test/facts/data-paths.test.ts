import { describe, expect, test } from '@jest/globals';
import {
  classifyEnvName,
  dedupeDataPaths,
  directoryOf,
  resolveContainers,
} from '../../policies/facts/data-paths-resolve.js';
import type { DataPath } from '../../policies/facts/data-paths.js';
import type { ConfigMapModel } from '../../policies/model/model.js';
import { config, container, mount, pos, pvc, volume, workload } from '../rules/builders.js';

function pathsOf(
  w: ReturnType<typeof workload>,
  cfg = config(),
  cms: ConfigMapModel[] = [],
): Record<string, Pick<DataPath, 'path' | 'origin' | 'severity'>[]> {
  const out: Record<string, Pick<DataPath, 'path' | 'origin' | 'severity'>[]> = {};
  for (const c of resolveContainers(w, {
    config: cfg,
    configMap: (ns, n) => cms.find((x) => x.name === n && (x.namespace ?? 'default') === ns),
  })) {
    out[c.container.name] = c.dataPaths.map((d) => ({ path: d.path, origin: d.origin, severity: d.severity }));
  }
  return out;
}

describe('env var names', () => {
  test.each([
    ['DATA_DIR', 'data'],
    ['DATA_PATH', 'data'],
    ['STATE_DIR', 'data'],
    ['APP_DATA_DIR', 'data'],
    ['ML_MODEL_PATH', 'data'],
    ['OLLAMA_MODELS_DIR', 'data'],
    ['SQLITE_DB_PATH', 'data'],
    ['APP_DATABASE_PATH', 'data'],
    ['UPLOAD_STORAGE_PATH', 'data'],
    ['AGENT_STATE_DIR', 'data'],
    ['CACHE_DIR', 'cacheOrLog'],
    ['LOG_DIR', 'cacheOrLog'],
    ['LOG_PATH', 'cacheOrLog'],
    ['STOCK_DATA_CACHE_PATH', 'cacheOrLog'],
    ['HF_CACHE_DIR', 'cacheOrLog'],
    ['NGINX_LOG_DIR', 'cacheOrLog'],
    ['PATH', undefined],
    ['HOME', undefined],
    ['DATABASE_URL', undefined],
    ['WORK_DIR', undefined],
  ])('%s → %s', (name, cls) => {
    expect(classifyEnvName(name)).toBe(cls);
  });

  test('values: absolute paths only; a file means its directory; a dot-directory stays', () => {
    expect(directoryOf('/app/models/model.pkl')).toBe('/app/models');
    expect(directoryOf('/app/logs/app.log')).toBe('/app/logs');
    expect(directoryOf('/home/node/.n8n')).toBe('/home/node/.n8n');
    expect(directoryOf('/app/data/')).toBe('/app/data');
    expect(directoryOf('./data')).toBeUndefined();
    expect(directoryOf('data')).toBeUndefined();
    expect(directoryOf('/a:/b')).toBeUndefined();
    expect(directoryOf('${DATA_DIR}')).toBeUndefined();
  });
});

describe('resolveContainers', () => {
  test('annotation paths apply to the app container; container= targets one container', () => {
    const app = container('app', { imageRef: 'acme/app:1' });
    const side = container('side', { imageRef: 'acme/side:1' });
    const w = workload('web', [app, side], {
      anns: { 'persistguard.io/data-paths': '/app/data, side=/side/state ,relative' },
    });
    expect(pathsOf(w)).toEqual({
      app: [{ path: '/app/data', origin: 'annotation', severity: 'error' }],
      side: [{ path: '/side/state', origin: 'annotation', severity: 'error' }],
    });
  });

  test('several containers, no prefix: the container that mounts the path is judged, not the sidecar', () => {
    const data = volume('d', 'emptyDir');
    const side = container('proxy', { imageRef: 'nginx' });
    const app = container('app', { imageRef: 'acme/app:1', mounts: [mount('/app/data', data)] });
    const w = workload('web', [side, app], { anns: { 'persistguard.io/data-paths': '/app/data' } });
    expect(pathsOf(w)).toEqual({ proxy: [], app: [{ path: '/app/data', origin: 'annotation', severity: 'error' }] });
  });

  test('compose label key (mapped by the loader) is read too', () => {
    const w = workload('api', [container('api', { role: 'service' })], {
      source: 'compose',
      anns: { 'io.persistguard.data-paths': '/srv/data' },
    });
    expect(pathsOf(w).api).toEqual([{ path: '/srv/data', origin: 'annotation', severity: 'error' }]);
  });

  test('catalog: postgres honours PGDATA; init containers get no catalog paths', () => {
    const pg = container('pg', {
      imageRef: 'docker.io/library/postgres:16',
      envs: { PGDATA: '/var/lib/postgresql/data/pgdata' },
    });
    const init = container('init', { imageRef: 'postgres:16', role: 'initContainer' });
    expect(pathsOf(workload('db', [init, pg]))).toEqual({
      init: [],
      pg: [{ path: '/var/lib/postgresql/data/pgdata', origin: 'catalog', severity: 'error' }],
    });
  });

  test('catalog: minio takes its data dirs from `server` args; prometheus from --storage.tsdb.path', () => {
    const minio = container('minio', {
      imageRef: 'minio/minio',
      args: [
        { value: 'server', at: pos() },
        { value: '/storage', at: pos() },
        { value: '--console-address', at: pos() },
        { value: ':9001', at: pos() },
      ],
    });
    const prom = container('prom', {
      imageRef: 'prom/prometheus',
      args: [{ value: '--storage.tsdb.path=/prom-data', at: pos() }],
    });
    const shell = container('sh', {
      imageRef: 'quay.io/minio/minio',
      command: [
        { value: 'sh', at: pos() },
        { value: '-c', at: pos() },
        { value: 'minio server /export1 /export2', at: pos() },
      ],
    });
    expect(pathsOf(workload('s3', [minio, prom, shell]))).toEqual({
      minio: [{ path: '/storage', origin: 'catalog', severity: 'error' }],
      prom: [{ path: '/prom-data', origin: 'catalog', severity: 'error' }],
      sh: [
        { path: '/export1', origin: 'catalog', severity: 'error' },
        { path: '/export2', origin: 'catalog', severity: 'error' },
      ],
    });
  });

  test('config entries match by image, workload/service name, namespace and container', () => {
    const cfg = config({
      dataPaths: [
        { name: 'kilo', image: 'kilo/*', paths: ['/data'] },
        { workload: 'web-*', namespace: 'prod', paths: ['/srv/uploads'] },
        { service: 'api', paths: ['/never-for-k8s'] },
      ],
    });
    const w = workload('web-1', [container('app', { imageRef: 'kilo/financial:latest' })], {
      resource: { kind: 'Deployment', namespace: 'prod', name: 'web-1' },
    });
    expect(pathsOf(w, cfg).app?.map((p) => [p.path, p.origin])).toEqual([
      ['/data', 'config'],
      ['/srv/uploads', 'config'],
    ]);
  });

  test('env: data vars are errors, cache/log follow cacheAndLogPaths (off drops them)', () => {
    const c = container('app', {
      envs: {
        DATA_DIR: '/app/data',
        CACHE_DIR: '/app/.cache',
        LOG_PATH: '/app/logs/app.log',
        HOME: '/root',
        DATA_URL: '/x',
      },
    });
    expect(pathsOf(workload('a', [c])).app).toEqual([
      { path: '/app/data', origin: 'env', severity: 'error' },
      { path: '/app/.cache', origin: 'env', severity: 'warning' },
      { path: '/app/logs', origin: 'env', severity: 'warning' },
    ]);
    expect(pathsOf(workload('a', [c]), config({ cacheAndLogPaths: 'off' })).app).toEqual([
      { path: '/app/data', origin: 'env', severity: 'error' },
    ]);
    expect(pathsOf(workload('a', [c]), config({ cacheAndLogPaths: 'error' })).app?.map((p) => p.severity)).toEqual([
      'error',
      'error',
      'error',
    ]);
  });

  test('SQLite files in env, args and mounted or envFrom ConfigMaps become data paths with sqliteFile', () => {
    const cfgVol = volume('cfg', 'configMap', { source: 'app-config' });
    const c = container('app', {
      envs: { DATABASE_URL: 'sqlite:////tmp/financial.db' },
      args: [{ value: '--db=/var/lib/app/state.sqlite3', at: pos() }],
      mounts: [mount('/etc/app', cfgVol)],
      envFromConfigMaps: ['env-config'],
    });
    const cms: ConfigMapModel[] = [
      {
        name: 'app-config',
        namespace: 'default',
        data: { 'settings.ini': { value: 'url = sqlite:////srv/cache/x.db\n', at: pos() } },
        at: pos(),
        file: 'cm.yaml',
      },
      {
        name: 'env-config',
        namespace: 'default',
        data: { DB: { value: 'file:/run/app/y.db', at: pos() } },
        at: pos(),
        file: 'cm.yaml',
      },
      {
        name: 'unused',
        namespace: 'default',
        data: { DB: { value: 'sqlite:////nope/z.db', at: pos() } },
        at: pos(),
        file: 'cm.yaml',
      },
    ];
    const got = resolveContainers(workload('a', [c]), {
      config: config(),
      configMap: (ns, n) => cms.find((x) => x.name === n),
    })[0]?.dataPaths;
    expect(got?.map((d) => [d.path, d.sqliteFile])).toEqual([
      ['/tmp', '/tmp/financial.db'],
      ['/var/lib/app', '/var/lib/app/state.sqlite3'],
      ['/run/app', '/run/app/y.db'],
      ['/srv/cache', '/srv/cache/x.db'],
    ]);
  });

  test('dedupe keeps the strongest origin and severity, and the SQLite file', () => {
    const at = pos();
    const merged = dedupeDataPaths([
      { path: '/data', origin: 'sqlite', severity: 'error', reason: 's', sqliteFile: '/data/a.db', at },
      { path: '/data', origin: 'env', severity: 'warning', reason: 'env CACHE_DIR', at },
      { path: '/data', origin: 'annotation', severity: 'error', reason: 'annotation', at },
    ]);
    expect(merged).toEqual([
      { path: '/data', origin: 'annotation', severity: 'error', reason: 'annotation', sqliteFile: '/data/a.db', at },
    ]);
  });

  test('PVC mounts do not change which paths are declared', () => {
    const c = container('redis', { imageRef: 'redis:7', mounts: [mount('/data', pvc('data'))] });
    expect(pathsOf(workload('r', [c])).redis).toEqual([{ path: '/data', origin: 'catalog', severity: 'error' }]);
  });
});
