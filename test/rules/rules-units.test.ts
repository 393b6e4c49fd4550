/** Rule edge cases that are easier to state with hand-built models than with YAML fixtures. */
import { describe, expect, test } from '@jest/globals';
import { evaluate } from '../../policies/engine/engine.js';
import {
  claim,
  composeService,
  config,
  container,
  mount,
  pos,
  project,
  pvc,
  storageClass,
  volume,
  workload,
} from './builders.js';
import type { Project } from '../../policies/model/model.js';

const run = (p: Project, cfg = config()) =>
  evaluate(p, { config: cfg }).findings.map((f) =>
    `${f.ruleId} ${f.severity} ${f.container ?? ''} ${f.path ?? ''}`.trim(),
  );

describe('data-path-pvc edge cases', () => {
  test('a mount naming a volume the pod does not define is reported as such', () => {
    const c = container('app', {
      envs: { DATA_DIR: '/data' },
      mounts: [mount('/data', undefined, { volumeName: 'ghost' })],
    });
    const ev = evaluate(project({ workloads: [workload('a', [c], { volumes: [] })] }), { config: config() });
    expect(ev.findings.map((f) => [f.messageId, f.message])).toEqual([
      [
        'undefinedVolume',
        'Container "app" keeps data in /data (env DATA_DIR), but the mount at /data names volume "ghost", which is not defined.',
      ],
    ]);
  });

  test('an unknown volume source (other) is not guessed at', () => {
    const c = container('app', { envs: { DATA_DIR: '/data' }, mounts: [mount('/data', volume('flex', 'other'))] });
    expect(run(project({ workloads: [workload('a', [c])] }))).toEqual([]);
  });

  test('a nested data path with the same fate is reported once, at the parent', () => {
    const c = container('ghost', {
      imageRef: 'ghost:5',
      envs: { database__connection__filename: '/var/lib/ghost/content/data/ghost.db' },
    });
    expect(run(project({ workloads: [workload('g', [c])] }))).toEqual([
      'data-path-pvc error ghost /var/lib/ghost/content',
    ]);
  });

  test('a child path with a different mount than its parent is judged on its own', () => {
    const c = container('app', {
      envs: { DATA_DIR: '/srv', APP_STATE_DIR: '/srv/state' },
      mounts: [mount('/srv', pvc('d', 'd')), mount('/srv/state', volume('s', 'emptyDir'))],
    });
    expect(run(project({ workloads: [workload('a', [c])], claims: [claim('d')] }))).toEqual([
      'data-path-pvc error app /srv/state',
    ]);
  });
});

describe('k3s-image-import edge cases', () => {
  const k3s = config({ target: 'k3s' });
  const at = pos('build.sh');

  test('a build fact with an unresolved variable (*) marks matching images local', () => {
    const w = workload('a', [container('a', { imageRef: 'kilo/financial:2024.1', pull: 'IfNotPresent' })]);
    const p = project({ workloads: [w], builds: [{ image: 'kilo/*', tool: 'docker', at }] });
    expect(run(p, k3s)).toEqual([]); // kilo/* means kilo/*:latest: a different tag is not that build
    const p2 = project({ workloads: [w], builds: [{ image: 'kilo/*:*', tool: 'docker', at }] });
    expect(run(p2, k3s)).toEqual(['k3s-image-import error a kilo/financial:2024.1']);
  });

  test('an import whose image is unknown (a tarball) counts as a possible import: no false "not imported"', () => {
    const w = workload('a', [container('a', { imageRef: 'kilo/api:1.0', pull: 'Never' })]);
    const p = project({ workloads: [w], imports: [{ tarball: 'images.tar', method: 'k3s ctr', at }] });
    expect(run(p, k3s)).toEqual([]);
  });

  test('config localImages marks images local; Always on them is ErrImagePull', () => {
    const w = workload('a', [container('a', { imageRef: 'registry.lan/kilo/api:1.0', pull: 'Always' })]);
    const p = project({ workloads: [w], imports: [{ image: 'registry.lan/kilo/api:1.0', method: 'k3s ctr', at }] });
    const ev = evaluate(p, { config: config({ target: 'k3s', localImages: ['registry.lan/kilo/*'] }) });
    expect(ev.findings.map((f) => [f.ruleId, f.severity, f.message.includes('ErrImagePull')])).toEqual([
      ['k3s-image-import', 'error', true],
    ]);
  });

  test('compose services are never judged (they run on Docker, not k3s)', () => {
    const svc = composeService('api', container('api', { imageRef: 'kilo/api:latest', builds: { value: '.', at } }));
    expect(
      run(project({ workloads: [svc], builds: [{ image: 'kilo/api:latest', tool: 'compose', at }] }), k3s),
    ).toEqual([]);
  });
});

describe('sqlite-shared-volume and reclaim-delete edge cases', () => {
  test('compose: a service scaled with replicas > 1 on a named volume is not a "second service"; two services are', () => {
    const dbEnv = { DATABASE_URL: 'sqlite:////data/app.db' };
    const named = () => volume('app-data', 'composeNamed', { source: 'app-data' });
    const a = composeService('a', container('a', { envs: dbEnv, mounts: [mount('/data', named())] }));
    const b = composeService('b', container('b', { envs: dbEnv, mounts: [mount('/data', named())] }));
    expect(run(project({ workloads: [a] }))).toEqual([]);
    expect(run(project({ workloads: [a, b] }))).toEqual([
      'sqlite-shared-volume warning a /data/app.db',
      'sqlite-shared-volume warning b /data/app.db',
    ]);
  });

  test('reclaim-delete: no class + a default class in the input; no class and no default on a generic cluster is silent; k3s assumes local-path', () => {
    const w = workload('db', [
      container('db', { imageRef: 'mysql:8', mounts: [mount('/var/lib/mysql', pvc('d', 'db'))] }),
    ]);
    const base = { workloads: [w], claims: [claim('db')] };
    expect(run(project({ ...base, storageClasses: [storageClass('std', undefined, true)] }))).toEqual([
      'reclaim-delete warning db /var/lib/mysql',
    ]);
    expect(run(project({ ...base, storageClasses: [storageClass('std', 'Retain', true)] }))).toEqual([]);
    expect(run(project(base))).toEqual([]);
    expect(run(project(base), config({ target: 'k3s' }))).toEqual(['reclaim-delete warning db /var/lib/mysql']);
    expect(
      run(
        project({ ...base, claims: [claim('db', ['ReadWriteOnce'], { storageClassName: '' })] }),
        config({ target: 'k3s' }),
      ),
    ).toEqual([]);
  });

  test('reclaim-delete: a bound PV decides over its class', () => {
    const w = workload('db', [
      container('db', { imageRef: 'mysql:8', mounts: [mount('/var/lib/mysql', pvc('d', 'db'))] }),
    ]);
    const c = claim('db', ['ReadWriteOnce'], { storageClassName: 'gp2', volumeName: 'pv-db' });
    const pv = (reclaimPolicy?: string) => ({
      name: 'pv-db',
      reclaimPolicy,
      accessModes: ['ReadWriteOnce'],
      at: pos(),
      file: 'pv.yaml',
    });
    expect(run(project({ workloads: [w], claims: [c], persistentVolumes: [pv('Retain')] }))).toEqual([]);
    expect(run(project({ workloads: [w], claims: [c], persistentVolumes: [pv('Delete')] }))).toEqual([
      'reclaim-delete warning db /var/lib/mysql',
    ]);
    expect(run(project({ workloads: [w], claims: [c] }))).toEqual(['reclaim-delete warning db /var/lib/mysql']);
  });
});
