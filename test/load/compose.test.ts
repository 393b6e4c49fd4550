import { describe, expect, test } from '@jest/globals';
import { loadText } from '../../policies/load/index.js';
import { interpolate, shellSplit } from '../../policies/load/compose/interpolate.js';
import { createLocator } from '../../policies/locate/locate.js';

describe('compose interpolation', () => {
  test.each([
    ['plain', 'plain'],
    ['${DATA:-/var/lib/app}', '/var/lib/app'],
    ['${DATA-/var/lib/app}/db', '/var/lib/app/db'],
    ['${A:-${B:-/nested}}', '/nested'],
    ['cost: $$5', 'cost: $5'],
    ['$$HOME', '$HOME'],
    ['100%$', '100%$'],
    ['${DATA}', undefined],
    ['$DATA/x', undefined],
    ['${DATA:?set DATA}', undefined],
    ['${DATA?err}', undefined],
    ['${DATA:+on}', undefined],
    ['${UNTERMINATED', undefined],
  ])('%s → %s', (input, expected) => {
    expect(interpolate(input)).toBe(expected);
  });

  test('a known environment is used when given', () => {
    expect(interpolate('${A}/${B:-x}', { A: '/a' })).toBe('/a/x');
    expect(interpolate('${A:-d}', { A: '' })).toBe('d');
    expect(interpolate('${A-d}', { A: '' })).toBe('');
  });

  test('shellSplit', () => {
    expect(shellSplit(`sh -c 'echo "a b"' --x="1 2" plain\\ word`)).toEqual([
      'sh',
      '-c',
      'echo "a b"',
      '--x=1 2',
      'plain word',
    ]);
    expect(shellSplit('  ')).toEqual([]);
    expect(shellSplit(`a ""`)).toEqual(['a', '']);
  });
});

const COMPOSE = `name: My_Shop!
services:
  db:
    image: \${DB_IMAGE:-postgres:16}
    environment:
      PGDATA: /var/lib/postgresql/data/pgdata
      SECRET: \${SECRET}
      PORT: 5432
      EMPTY:
    volumes:
      - pgdata:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
      - /srv/backup:/backup:rw,z
      - ~/dumps:/dumps
      - /var/cache/anon
      - ext:/ext
      - \${HOST_DIR}:/unknown
      - \${HOST_DIR:-./fallback}:/known
    tmpfs:
      - /run:size=64m
      - /tmp
    labels:
      io.persistguard.data-paths: /var/lib/postgresql/data
      io.persistguard.ignore: sqlite-in-tmp
    deploy:
      replicas: 2
  app:
    build: .
    entrypoint: ["/bin/app"]
    command: serve --db "sqlite:////tmp/app.db" --port=\${PORT:-80}
    environment:
      - DATA_DIR=\${APP_DATA:-/data}
      - PASS_THROUGH
      - UNRESOLVED=\${NOPE}
    volumes:
      - type: volume
        source: appdata
        target: /data
        read_only: true
      - type: bind
        source: ./logs
        target: /logs
      - type: tmpfs
        target: /scratch
      - type: volume
        target: /anon
    tmpfs: /var/run
    labels:
      - "io.persistguard.ignore-reason=cache only"
      - plain-flag
    x-persistguard:
      data-paths: [/data, /state]
      ignore: [readonly-data-mount]
      ignore-reason: reviewed
  worker:
    image: ghcr.io/acme/worker:1
    build:
      context: ./worker
    deploy:
      mode: global
  stack:
    image: redis
    scale: 3
volumes:
  pgdata: {}
  appdata:
  ext:
    external: true
`;

describe('compose services', () => {
  const p = loadText('shop/compose.yaml', COMPOSE);
  const [db, app, worker, stack] = p.workloads;

  test('one workload per service with one service container', () => {
    expect(p.errors).toEqual([]);
    expect(
      p.workloads.map((w) => [w.source, w.resource, w.replicas, w.perNode, w.containers.map((c) => [c.name, c.role])]),
    ).toEqual([
      ['compose', { kind: 'ComposeService', name: 'db' }, 2, false, [['db', 'service']]],
      ['compose', { kind: 'ComposeService', name: 'app' }, 1, false, [['app', 'service']]],
      ['compose', { kind: 'ComposeService', name: 'worker' }, undefined, true, [['worker', 'service']]],
      ['compose', { kind: 'ComposeService', name: 'stack' }, 3, false, [['stack', 'service']]],
    ]);
    expect(db!.composeProject).toBe('my_shop');
  });

  test('short volume syntax and tmpfs', () => {
    const c = db!.containers[0]!;
    expect(c.image!.value).toBe('postgres:16');
    expect(
      c.mounts.map((m) => [m.mountPath, m.volume?.kind, m.volume?.source, m.readOnly, m.volume?.external ?? false]),
    ).toEqual([
      ['/var/lib/postgresql/data', 'composeNamed', 'pgdata', false, false],
      ['/docker-entrypoint-initdb.d', 'composeBind', './init', true, false],
      ['/backup', 'composeBind', '/srv/backup', false, false],
      ['/dumps', 'composeBind', '~/dumps', false, false],
      ['/var/cache/anon', 'composeAnonymous', undefined, false, false],
      ['/ext', 'composeNamed', 'ext', false, true],
      // an unknown source is kept as a mount of unknown kind (`other`): it must never look unmounted
      ['/unknown', 'other', undefined, false, false],
      ['/known', 'composeBind', './fallback', false, false],
      ['/run', 'composeTmpfs', undefined, false, false],
      ['/tmp', 'composeTmpfs', undefined, false, false],
    ]);
    expect(c.mounts[1]!.readOnlyAt).toBeDefined();
    expect(db!.volumes).toHaveLength(10);
    expect(c.mounts[6]!.volume!.name).toBe('${HOST_DIR}');
  });

  test('unresolved parts of volumes: unknown source kept, unknown target dropped', () => {
    const q = loadText(
      'compose.yaml',
      'services:\n  s:\n    image: x\n    volumes:\n      - ${A:-/srv}/${B}:/data:ro\n      - ./x:${T}\n      - type: bind\n        source: ${SRC}\n        target: /long\n',
    );
    expect(q.workloads[0]!.containers[0]!.mounts.map((m) => [m.mountPath, m.volume?.kind, m.readOnly])).toEqual([
      ['/data', 'other', true],
      ['/long', 'other', false],
    ]);
  });

  test('environment as map: literal, unresolved, number, empty', () => {
    expect(db!.containers[0]!.env.map((e) => [e.name, e.value])).toEqual([
      ['PGDATA', '/var/lib/postgresql/data/pgdata'],
      ['SECRET', undefined],
      ['PORT', '5432'],
      ['EMPTY', undefined],
    ]);
  });

  test('environment as list; command/entrypoint; long volume syntax; labels and x-persistguard', () => {
    const c = app!.containers[0]!;
    expect(c.env.map((e) => [e.name, e.value])).toEqual([
      ['DATA_DIR', '/data'],
      ['PASS_THROUGH', undefined],
      ['UNRESOLVED', undefined],
    ]);
    expect(c.command.map((x) => x.value)).toEqual(['/bin/app']);
    expect(c.args.map((x) => x.value)).toEqual(['serve', '--db', 'sqlite:////tmp/app.db', '--port=80']);
    expect(c.mounts.map((m) => [m.mountPath, m.volume?.kind, m.readOnly])).toEqual([
      ['/data', 'composeNamed', true],
      ['/logs', 'composeBind', false],
      ['/scratch', 'composeTmpfs', false],
      ['/anon', 'composeAnonymous', false],
      ['/var/run', 'composeTmpfs', false],
    ]);
    const ann = Object.fromEntries(Object.entries(app!.annotations).map(([k, v]) => [k, v.value]));
    expect(ann).toEqual({
      'io.persistguard.ignore-reason': 'reviewed',
      'plain-flag': '',
      'io.persistguard.data-paths': '/data,/state',
      'io.persistguard.ignore': 'readonly-data-mount',
    });
    expect(db!.annotations['io.persistguard.data-paths']!.value).toBe('/var/lib/postgresql/data');
  });

  test('builds: build+image, build without image (v2 and v1 names)', () => {
    expect(p.builds.map((b) => [b.image, b.tool])).toEqual([
      ['my_shop-app', 'compose'],
      ['my_shop_app', 'compose'],
      ['ghcr.io/acme/worker:1', 'compose'],
    ]);
    expect(app!.containers[0]!.builds!.value).toBe('my_shop-app');
    expect(worker!.containers[0]!.builds!.value).toBe('ghcr.io/acme/worker:1');
    expect(stack!.containers[0]!.builds).toBeUndefined();
  });

  test('positions of compose nodes', () => {
    const locate = createLocator();
    expect(locate(db!.at)).toMatchObject({ line: 3, column: 3, jsonPath: 'services.db' });
    expect(locate(db!.containers[0]!.mounts[0]!.at)).toMatchObject({ line: 11, column: 9 });
    expect(locate(db!.containers[0]!.env[0]!.at)).toMatchObject({ line: 6, column: 15 });
    expect(locate(app!.containers[0]!.env[0]!.at)).toMatchObject({ line: 32, column: 9 });
    expect(locate(app!.containers[0]!.mounts[0]!.readOnlyAt!)).toMatchObject({ line: 39, column: 20 });
    expect(locate(app!.annotations['io.persistguard.data-paths']!.at)).toMatchObject({ line: 52, column: 7 }); // a list value: its key
  });

  test('project name from the folder when there is no name:, and notes for env_file', () => {
    const q = loadText('My Stack/docker-compose.prod.yml', 'services:\n  web:\n    build: ./web\n    env_file: .env\n');
    expect(q.workloads[0]!.composeProject).toBe('mystack');
    expect(q.builds.map((b) => b.image)).toEqual(['mystack-web', 'mystack_web']);
    expect(q.notes.map((n) => n.message).join()).toMatch(/env_file/);
    const top = loadText('compose.yaml', 'services:\n  web:\n    build: .\n', { folderName: 'Repo' });
    expect(top.builds.map((b) => b.image)).toEqual(['repo-web', 'repo_web']);
  });

  test('YAML with compose-like services under any name is compose; other YAML is skipped', () => {
    expect(loadText('deploy/stack.yml', 'services:\n  a:\n    image: redis\n').workloads).toHaveLength(1);
    expect(loadText('deploy/other.yml', 'services:\n  a: 1\n').workloads).toHaveLength(0);
    expect(loadText('values.yaml', 'image: {repository: x}\nservices: []\n').workloads).toHaveLength(0);
    // a Helm values file with per-service settings is not compose
    expect(
      loadText('chart/values.yaml', 'services:\n  web:\n    image: {repository: nginx, tag: "1.27"}\n    ports: [80]\n')
        .workloads,
    ).toHaveLength(0);
  });
});
