/**
 * #13 W1–W4, W6, W7, C5, C8, C9: hostile or odd workloads cannot crash, stall or slip past the facts layer.
 * Sizes go up to Kubernetes' limits (256 KiB of annotations, ~1.5 MiB objects). Nothing here times anything:
 * linearity is shown by counting how often the code reads the workload's lists (a Proxy counts element
 * reads), comparing a size n with 4n.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { admit } from '../../webhook/admission.js';
import { parseAdmissionReview } from '../../webhook/review.js';
import { defaultConfig } from '../../policies/config/types.js';
import { loadObject } from '../../policies/load/index.js';
import { evaluate } from '../../policies/engine/engine.js';
import { argPaths, resolveContainers } from '../../policies/facts/data-paths-resolve.js';
import { rule as dataPathPvc } from '../../policies/rules/data-path-pvc.js';
import { fileClusterView } from '../../policies/engine/file-view.js';
import type { ContainerWithData, WorkloadRuleContext } from '../../policies/rules/rule.js';
import type { Project, WorkloadModel } from '../../policies/model/model.js';
import type { RuleReport } from '../../policies/model/findings.js';

const config = defaultConfig();

function deployment(spec: Record<string, unknown>, annotations: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'shop', annotations },
    spec: { template: { spec } },
  };
}

function load(obj: unknown): Project {
  return loadObject(obj, { file: 'admission:test', index: 0 }, { fromJson: true });
}

function findings(obj: unknown): string[] {
  const p = load(obj);
  expect(p.errors).toEqual([]);
  return evaluate(p, { config, now: new Date('2026-06-01') })
    .findings.filter((f) => f.ruleId === 'data-path-pvc' || f.ruleId === 'readonly-data-mount')
    .map((f) => `${f.ruleId} ${f.severity} ${f.container ?? ''} ${f.path ?? ''}`);
}

function review(obj: unknown): ReturnType<typeof parseAdmissionReview> {
  return parseAdmissionReview({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'tenant' },
      object: obj,
    },
  });
}

/** Counts element reads of every array wrapped with `counted`. */
class ReadCounter {
  reads = 0;
  counted<T>(list: T[]): T[] {
    return new Proxy(list, {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) this.reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }
}

/** Runs data-path-pvc over a workload whose container lists and resolved data paths are read-counted. */
function ruleReads(w: WorkloadModel): { reads: number; reports: RuleReport[] } {
  const counter = new ReadCounter();
  for (const c of w.containers) {
    c.env = counter.counted(c.env);
    c.mounts = counter.counted(c.mounts);
    c.args = counter.counted(c.args);
  }
  const containers: ContainerWithData[] = resolveContainers(w, { config }).map((c) => ({
    ...c,
    dataPaths: counter.counted(c.dataPaths),
  }));
  const project = load({});
  const reports: RuleReport[] = [];
  const ctx: WorkloadRuleContext = {
    config,
    view: fileClusterView(project),
    project,
    targetsK3s: false,
    options: {},
    workload: w,
    containers,
    replicas: 1,
    report: (r) => reports.push(r),
  };
  dataPathPvc.checkWorkload?.(ctx);
  return { reads: counter.reads, reports };
}

function onlyWorkload(obj: unknown): WorkloadModel {
  const w = load(obj).workloads[0];
  if (!w) throw new Error('no workload loaded');
  return w;
}

describe('W1/W2: repeated subcommands and huge values stay linear and never throw', () => {
  test('W1: `server /d` × 2000 in one arg yields one path per word, not one per pair', () => {
    const c = { name: 'minio', image: 'minio/minio', args: ['server /d '.repeat(2000)] };
    const w = onlyWorkload(deployment({ containers: [c] }));
    // The old argPaths collected every following word for each `server`: 2000 × 2000 entries.
    expect(argPaths(w.containers[0] as never, { subcommand: 'server' }).length).toBeLessThanOrEqual(2000);
    const d = admit(review(deployment({ containers: [c] })), { config, mode: 'enforce' });
    expect(d.reason).toBe('evaluated');
    expect(d.response.allowed).toBe(false);
  });

  test('W2: a sidecar `server /d` × 500 and an env value holding "/a.db " × 150,000: judged by the core, refused by the webhook\'s work budget, never "unreadable"', () => {
    const obj = deployment({
      containers: [
        { name: 'app', image: 'acme/app:1', env: [{ name: 'DB', value: '/a.db '.repeat(150_000) }] },
        { name: 'side', image: 'minio/minio', args: ['server /d '.repeat(500)] },
      ],
    });
    const d = admit(review(obj), { config, mode: 'enforce', onError: 'allow' });
    expect(d.reason).toBe('over-budget');
    expect(d.response.allowed).toBe(false);
    expect(findings(obj)).toEqual(expect.arrayContaining(['data-path-pvc error app /', 'data-path-pvc error side /d']));
  });
});

describe('W3: thousands of distinct data paths or data env vars are linear (operation counts)', () => {
  const annotated = (n: number): WorkloadModel =>
    onlyWorkload(
      deployment(
        {
          containers: [{ name: 'app', image: 'acme/app:1', volumeMounts: [{ name: 'd', mountPath: '/p' }] }],
          volumes: [{ name: 'd', emptyDir: {} }],
        },
        { 'persistguard.io/data-paths': Array.from({ length: n }, (_, i) => `/p/x${i}/y`).join(',') },
      ),
    );
  const envs = (n: number): WorkloadModel =>
    onlyWorkload(
      deployment({
        containers: [
          {
            name: 'app',
            image: 'acme/app:1',
            env: Array.from({ length: n }, (_, i) => ({ name: `X${i}_DATA_DIR`, value: `/v/d${i}` })),
            volumeMounts: Array.from({ length: n }, (_, i) => ({ name: 'd', mountPath: `/v/d${i}/sub` })),
          },
        ],
        volumes: [{ name: 'd', emptyDir: {} }],
      }),
    );

  test.each([
    ['annotation paths', annotated],
    ['`*_DATA_DIR` env vars with as many mounts', envs],
  ])('%s: 4× the input costs at most ~4× the reads', (_name, make) => {
    const small = ruleReads(make(2000));
    const big = ruleReads(make(8000));
    expect(big.reports.length).toBe(4 * small.reports.length);
    // Quadratic code (every path against every path or mount) would read ~16× as much.
    expect(big.reads).toBeLessThanOrEqual(small.reads * 5);
  });

  test('30k distinct paths in one annotation (204 KiB, under the 256 KiB limit): admit() refuses them at once (work budget)', () => {
    const value = Array.from({ length: 30_000 }, (_, i) => `/d/${i.toString(36)}`).join(',');
    expect(value.length).toBeLessThan(256 * 1024);
    const obj = deployment(
      { containers: [{ name: 'app', image: 'acme/app:1' }] },
      { 'persistguard.io/data-paths': value },
    );
    const d = admit(review(obj), { config, mode: 'enforce' });
    expect(d.reason).toBe('over-budget');
    expect(d.response.allowed).toBe(false);
  });
});

describe('W4: mount paths are cleaned as the runtime cleans them', () => {
  const pg = (mounts: { name: string; mountPath: string }[]): Record<string, unknown> =>
    deployment({
      containers: [{ name: 'pg', image: 'postgres:16', volumeMounts: mounts }],
      volumes: [
        { name: 'claim', persistentVolumeClaim: { claimName: 'pg' } },
        { name: 'scratch', emptyDir: {} },
      ],
    });

  test.each([
    '/var/lib/postgresql/./data',
    '/var/lib/postgresql//data',
    '/var/lib/postgresql/x/../data',
    '/var/lib/postgresql/data/.',
    '//var/lib/postgresql/data/',
  ])('claim at /var/lib/postgresql, emptyDir at %s: error', (spelling) => {
    expect(
      findings(
        pg([
          { name: 'claim', mountPath: '/var/lib/postgresql' },
          { name: 'scratch', mountPath: spelling },
        ]),
      ),
    ).toEqual(['data-path-pvc error pg /var/lib/postgresql/data']);
  });

  test('the data dir mounted twice (claim at …/data, emptyDir at …/data/): the worse one decides', () => {
    for (const order of [
      ['claim', 'scratch'],
      ['scratch', 'claim'],
    ]) {
      const paths = ['/var/lib/postgresql/data', '/var/lib/postgresql/data/'];
      expect(findings(pg(order.map((name, i) => ({ name, mountPath: paths[i] as string }))))).toEqual([
        'data-path-pvc error pg /var/lib/postgresql/data',
      ]);
    }
  });

  test('property: any spelling that cleans to the data dir is judged like the data dir itself', () => {
    const segment = fc.constantFrom('.', '', 'x/..', 'abc/../.', './');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.array(segment, { maxLength: 6 }), (a, b) => {
        const spelled = `/${a.join('/')}/var/lib/postgresql/${b.join('/')}/data/${a.join('/')}`;
        expect(
          findings(
            pg([
              { name: 'claim', mountPath: '/var/lib/postgresql' },
              { name: 'scratch', mountPath: spelled },
            ]),
          ),
        ).toEqual(['data-path-pvc error pg /var/lib/postgresql/data']);
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});

describe('W6, C5: volumes that only look durable', () => {
  const withVolume = (volume: Record<string, unknown>): Record<string, unknown> =>
    deployment({
      containers: [
        { name: 'pg', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] },
      ],
      volumes: [{ name: 'data', ...volume }],
    });

  test.each([
    ['an inline csi volume', { csi: { driver: 'hostpath.csi.k8s.io' } }],
    ['a gitRepo volume', { gitRepo: { repository: 'https://example.com/x.git' } }],
    ['a volume with no source (defaults to emptyDir)', {}],
    ['persistentVolumeClaim: null (defaults to emptyDir)', { persistentVolumeClaim: null }],
  ])('%s is deleted with the pod', (_name, volume) => {
    expect(findings(withVolume(volume))).toEqual(['data-path-pvc error pg /var/lib/postgresql/data']);
  });

  test('a real claim still passes; nfs still passes', () => {
    expect(findings(withVolume({ persistentVolumeClaim: { claimName: 'x' } }))).toEqual([]);
    expect(findings(withVolume({ nfs: { server: 'nas', path: '/x' } }))).toEqual([]);
  });
});

describe('W7: native sidecars and values from references', () => {
  test('postgres as a native sidecar (initContainers, restartPolicy: Always) on an emptyDir is judged', () => {
    const obj = deployment({
      initContainers: [
        {
          name: 'pg',
          image: 'postgres:16',
          restartPolicy: 'Always',
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
        },
      ],
      containers: [{ name: 'app', image: 'acme/app:1' }],
      volumes: [{ name: 'data', emptyDir: {} }],
    });
    expect(findings(obj)).toEqual(['data-path-pvc error pg /var/lib/postgresql/data']);
  });

  test('a plain init container running postgres is still a client (no catalog path)', () => {
    const obj = deployment({
      initContainers: [{ name: 'migrate', image: 'postgres:16' }],
      containers: [{ name: 'app', image: 'acme/app:1' }],
    });
    expect(findings(obj)).toEqual([]);
  });

  test('PGDATA from valueFrom is unknown: not judged at the default path', () => {
    const obj = deployment({
      containers: [
        {
          name: 'pg',
          image: 'postgres:16',
          env: [{ name: 'PGDATA', valueFrom: { configMapKeyRef: { name: 'pg', key: 'pgdata' } } }],
          volumeMounts: [{ name: 'data', mountPath: '/pgdata' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pg' } }],
    });
    expect(findings(obj)).toEqual([]);
  });
});

describe('C9: YAML 1.1 booleans in boolean fields', () => {
  test.each(['yes', 'on', 'True', 'Y'])('readOnly: %s is read-only', (spelling) => {
    const obj = deployment({
      containers: [
        {
          name: 'pg',
          image: 'postgres:16',
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data', readOnly: spelling }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pg' } }],
    });
    expect(findings(obj)).toEqual(['readonly-data-mount error pg /var/lib/postgresql/data']);
  });

  test('readOnly: no / "false" stays writable', () => {
    for (const spelling of ['no', 'false', 'off']) {
      const obj = deployment({
        containers: [
          {
            name: 'pg',
            image: 'postgres:16',
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data', readOnly: spelling }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pg' } }],
      });
      expect(findings(obj)).toEqual([]);
    }
  });
});

describe('C8: one workload failing never wipes the report', () => {
  test('a workload whose facts cannot be read is named in a note; the others are still judged', () => {
    const p = load({
      apiVersion: 'v1',
      kind: 'List',
      items: [],
    });
    const good = onlyWorkload(deployment({ containers: [{ name: 'pg', image: 'postgres:16' }] }));
    const bad = onlyWorkload(deployment({ containers: [{ name: 'x', image: 'postgres:16' }] }));
    // A getter that throws stands in for any bug in a fact step (the hostile inputs above no longer throw).
    Object.defineProperty(bad.containers[0] as object, 'env', {
      get() {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    bad.resource = { ...bad.resource, name: 'broken' };
    p.workloads.push(bad, good);
    const ev = evaluate(p, { config, now: new Date('2026-06-01') });
    expect(ev.findings.map((f) => `${f.resource.name} ${f.path ?? ''}`)).toEqual(['app /var/lib/postgresql/data']);
    expect(ev.notes.map((n) => n.message)).toEqual([
      expect.stringContaining('internal error while reading the data paths of Deployment broken'),
    ]);
    // The webhook answers such a workload as unreadable (its --on-error), never as a silent allow.
    expect(ev.failures.map((f) => f.resource.name)).toEqual(['broken']);
  });
});
