/** The workload's own configuration: relocated data dirs, caches, replicas, clients (#7 items 3–5). */
import { describe, expect, test } from '@jest/globals';
import { runsServer } from '../../policies/facts/configured.js';
import { resolveContainers } from '../../policies/facts/data-paths-resolve.js';
import { defaultConfig } from '../../policies/config/types.js';
import { loadText } from '../../policies/load/index.js';
import type { Project } from '../../policies/model/model.js';

function paths(yaml: string): Record<string, string[]> {
  const p: Project = loadText('t.yaml', yaml);
  const cms = new Map(p.configMaps.map((c) => [c.name, c]));
  const out: Record<string, string[]> = {};
  for (const w of p.workloads)
    for (const c of resolveContainers(w, { config: defaultConfig(), configMap: (_ns, n) => cms.get(n) }))
      out[`${w.resource.name}/${c.container.name}`] = c.dataPaths.map((d) => `${d.path} ${d.severity}`);
  return out;
}

const pod = (name: string, container: string, extra = ''): string =>
  `---\napiVersion: v1\nkind: Pod\nmetadata: { name: ${name} }\nspec:\n  containers:\n    - ${container}\n${extra}`;

describe('redis family', () => {
  test.each([
    ['--save "" and --appendonly no', '{ name: r, image: redis:7, args: ["--save", "", "--appendonly", "no"] }', []],
    ['--save "" alone (AOF is off by default)', '{ name: r, image: redis:7, args: ["--save", ""] }', []],
    [
      "--save '' inside a shell line",
      `{ name: r, image: redis:7, command: ["sh", "-c", "redis-server --save '' --appendonly no"] }`,
      [],
    ],
    [
      '--save "" but --appendonly yes',
      '{ name: r, image: redis:7, args: ["--save", "", "--appendonly", "yes"] }',
      ['/data error'],
    ],
    ['defaults', '{ name: r, image: redis:7 }', ['/data error']],
    [
      '--dir moves the data',
      '{ name: r, image: valkey/valkey:8, args: ["--dir", "/var/valkey"] }',
      ['/var/valkey error'],
    ],
    ['a replica resyncs from its primary', '{ name: r, image: redis:7, args: ["--replicaof", "primary", "6379"] }', []],
    [
      'Bitnami with both switches off',
      '{ name: r, image: bitnami/redis:7.2, env: [{ name: REDIS_AOF_ENABLED, value: "no" }, { name: REDIS_RDB_POLICY_DISABLED, value: "yes" }] }',
      [],
    ],
    [
      'Bitnami defaults (AOF on)',
      '{ name: r, image: bitnami/redis:7.2, args: ["--save", ""] }',
      ['/bitnami/redis/data error'],
    ],
  ])('%s', (_name, container, expected) => {
    expect(paths(pod('p', container))['p/r']).toEqual(expected);
  });

  test('config in a mounted ConfigMap: dir moves the data, save "" with appendonly no is a cache', () => {
    const cm = (name: string, conf: string): string =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata:\n  redis.conf: |\n${conf
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`;
    const user = (name: string, cmName: string): string =>
      pod(
        name,
        '{ name: r, image: redis:7, args: ["/etc/redis/redis.conf"], volumeMounts: [{ name: c, mountPath: /etc/redis }] }',
        `  volumes: [{ name: c, configMap: { name: ${cmName} } }]\n`,
      );
    const out = paths(
      cm('moved', 'dir /srv/redis\nappendonly yes') +
        cm('cache', 'save ""\nappendonly no') +
        user('a', 'moved') +
        user('b', 'cache'),
    );
    expect(out['a/r']).toEqual(['/srv/redis error']);
    expect(out['b/r']).toEqual([]);
  });
});

describe('relocation by env', () => {
  test('RABBITMQ_MNESIA_DIR with a run-time variable counts by its known directory', () => {
    const c = `{ name: mq, image: rabbitmq:3, env: [{ name: POD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }, { name: RABBITMQ_MNESIA_DIR, value: "/var/mq/mnesia/$(POD)" }] }`;
    expect(paths(pod('p', c))['p/mq']).toEqual(['/var/mq/mnesia error']);
  });

  test('Keycloak with KC_DB keeps nothing locally; without it, its H2 files in /opt/keycloak/data', () => {
    expect(
      paths(pod('p', '{ name: k, image: quay.io/keycloak/keycloak:25.0, env: [{ name: KC_DB, value: postgres }] }'))[
        'p/k'
      ],
    ).toEqual([]);
    expect(paths(pod('p', '{ name: k, image: quay.io/keycloak/keycloak:25.0, args: [start-dev] }'))['p/k']).toEqual([
      '/opt/keycloak/data error',
    ]);
  });

  test('search nodes without a data or manager role keep no data; InfluxDB 3 on the memory store neither', () => {
    const node = (roles: string) =>
      `{ name: os, image: bitnami/opensearch:2, env: [{ name: OPENSEARCH_NODE_ROLES, value: "${roles}" }] }`;
    expect(paths(pod('p', node('')))['p/os']).toEqual([]);
    expect(paths(pod('p', node('ingest')))['p/os']).toEqual([]);
    expect(paths(pod('p', node('data')))['p/os']).toEqual(['/bitnami/opensearch/data error']);
    expect(paths(pod('p', node('master')))['p/os']).toEqual(['/bitnami/opensearch/data error']);
    const influx = (store: string) =>
      `{ name: i, image: bitnami/influxdb:3.4, env: [{ name: INFLUXDB_OBJECT_STORE, value: ${store} }] }`;
    expect(paths(pod('p', influx('memory')))['p/i']).toEqual([]);
    expect(paths(pod('p', influx('file')))['p/i']).toEqual(['/bitnami/influxdb error']);
  });

  test('an unknown image with likely-data env names gets warnings, not nothing', () => {
    expect(
      paths(pod('p', '{ name: a, image: acme/a:1, env: [{ name: APP_UPLOAD_DIR, value: /srv/up }] }'))['p/a'],
    ).toEqual(['/srv/up warning']);
  });
});

describe('servers, not clients', () => {
  const w = (kind: string, annotations: Record<string, string> = {}) => ({
    source: 'kubernetes' as const,
    resource: { kind, name: 'x' },
    at: { kind: 'pos' as const, file: 'f', line: 1, column: 1 },
    file: 'f',
    perNode: false,
    annotations: Object.fromEntries(
      Object.entries(annotations).map(([k, v]) => [
        k,
        { value: v, at: { kind: 'pos' as const, file: 'f', line: 1, column: 1 } },
      ]),
    ),
    volumes: [],
    claimTemplates: [],
    containers: [],
    ownerKinds: [],
  });
  const c = (command: string[], role: 'container' | 'initContainer' = 'container') => ({
    name: 'c',
    role,
    env: [],
    command: command.map((value) => ({ value, at: { kind: 'pos' as const, file: 'f', line: 1, column: 1 } })),
    args: [],
    mounts: [],
    envFromConfigMaps: [],
    at: { kind: 'pos' as const, file: 'f', line: 1, column: 1 },
  });

  test.each([
    [['etcdctl', 'snapshot', 'save', '/tmp/s'], false],
    [['/usr/bin/pg_dump', '-h', 'db'], false],
    [['sh', '-c', 'set -e; pg_dump -h db app | gzip > /dev/stdout'], false],
    [['bash', '-ec', 'while true; do redis-cli -h r ping; sleep 5; done'], false],
    [['sh', '-c', 'redis-cli ping || true; exec redis-server --dir /data'], true],
    [['docker-entrypoint.sh', 'postgres'], true],
    [['/opt/bitnami/scripts/start-scripts/start-master.sh'], true],
    [[], true],
  ])('%j runs the server: %s', (command, expected) => {
    expect(runsServer(w('Deployment'), c(command))).toBe(expected);
  });

  test('Jobs, CronJobs, Helm hooks and init containers are not servers', () => {
    expect(runsServer(w('Job'), c([]))).toBe(false);
    expect(runsServer(w('CronJob'), c([]))).toBe(false);
    expect(runsServer(w('Pod', { 'helm.sh/hook': 'pre-upgrade' }), c([]))).toBe(false);
    expect(runsServer(w('Deployment'), c([], 'initContainer'))).toBe(false);
  });
});
