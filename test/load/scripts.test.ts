import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScriptText, type ScriptKind } from '../../policies/load/scripts/scripts.js';
import type { Anchor } from '../../policies/model/model.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const SHARED = resolve(repoRoot, '../shared');
const describeShared = existsSync(SHARED) ? describe : describe.skip;

function pos(a: Anchor): string {
  return a.kind === 'pos' ? `${a.line}:${a.column}` : 'node';
}

function load(text: string, kind: ScriptKind = 'shell', file = 'build.sh') {
  const p = loadScriptText(file, text, kind);
  return {
    builds: p.builds.map((b) => `${b.image} ${b.tool} @${pos(b.at)}`),
    imports: p.imports.map((i) => `${i.image ?? '-'} ${i.tarball ?? '-'} ${i.method} @${pos(i.at)}`),
    signals: p.k3sSignals.map(pos),
    notes: p.notes.map((n) => n.message),
    errors: p.errors,
    files: p.files,
  };
}

describe('image builds', () => {
  test.each([
    ['docker build -t kilo/app:1 .', 'kilo/app:1 docker @1:17'],
    ['docker build --tag kilo/app:1 .', 'kilo/app:1 docker @1:20'],
    ['docker build --tag=kilo/app:1 .', 'kilo/app:1 docker @1:20'],
    ['docker buildx build -t kilo/app:1 --load .', 'kilo/app:1 buildx @1:24'],
    ['docker buildx build --platform linux/amd64 --tag kilo/app:1 .', 'kilo/app:1 buildx @1:50'],
    ['podman build -f Containerfile -t localhost/app .', 'localhost/app podman @1:34'],
    ['nerdctl build -t app:dev .', 'app:dev nerdctl @1:18'],
    ['buildah bud -t app:dev .', 'app:dev buildah @1:16'],
    ['docker image build -t app:dev .', 'app:dev docker @1:23'],
    ["sudo -E docker build -t 'quoted/app:1' .", 'quoted/app:1 docker @1:26'],
    ['docker -H ssh://node build -t app:1 .', 'app:1 docker @1:31'],
  ])('%s', (script, expected) => {
    expect(load(script).builds).toEqual([expected]);
  });

  test('several -t flags give one fact each', () => {
    expect(load('docker build -t a/app:1 -t a/app:latest .').builds).toEqual([
      'a/app:1 docker @1:17',
      'a/app:latest docker @1:28',
    ]);
  });

  test('docker tag names a local image too, unless that name is pushed', () => {
    expect(load('docker build -t app .\ndocker tag app kilo/app:v2\n').builds).toEqual([
      'app docker @1:17',
      'kilo/app:v2 docker tag @2:16',
    ]);
    expect(load('docker tag app ghcr.io/a/app:1\ndocker push ghcr.io/a/app:1\n').builds).toEqual([]);
  });

  test('a build pushed to a registry is not a local image', () => {
    expect(load('docker buildx build --push -t ghcr.io/a/app:1 .').builds).toEqual([]);
    expect(load('docker build -t ghcr.io/a/app:1 .\ndocker push ghcr.io/a/app:1\n').builds).toEqual([]);
  });

  test('line continuations, chains, comments and conditionals', () => {
    const script = [
      '#!/bin/sh',
      '# docker build -t commented/out .',
      'set -e; cd app && docker build \\',
      '    --file Dockerfile \\',
      '    -t kilo/financial:latest . || exit 1',
      'if docker build -t kilo/meds:latest .; then echo ok; fi',
      'echo "docker build -t not/a/command ."',
    ].join('\n');
    expect(load(script).builds).toEqual(['kilo/financial:latest docker @5:8', 'kilo/meds:latest docker @6:20']);
  });

  test('variables assigned in the file are substituted; unknown parts become *', () => {
    const script = [
      'IMAGE="${IMAGE:-kilo/app:latest}"',
      'export REG=registry.local:5000',
      'docker build -t "$IMAGE" .',
      'docker build -t ${REG}/svc-$1:$(git rev-parse --short HEAD) .',
      'docker build -t "$UNSET" .',
      'docker build -t $UNSET:latest .',
      'for s in a b; do docker build -t "kilo/$s:latest" "services/$s"; done',
    ].join('\n');
    expect(load(script).builds).toEqual([
      'kilo/app:latest docker @3:18',
      'registry.local:5000/svc-*:* docker @4:17',
      'kilo/*:latest docker @7:35',
    ]);
  });

  test('builds inside command substitution are found', () => {
    expect(load('ID=$(docker build -q -t kilo/app:2 .)').builds).toEqual(['kilo/app:2 docker @1:25']);
  });

  test('heredoc bodies are data, not commands', () => {
    const script = 'cat <<EOF > notes.txt\ndocker build -t not/run .\nEOF\ndocker build -t real/run .\n';
    expect(load(script).builds).toEqual(['real/run docker @4:17']);
  });

  test('array-built command lines (the builder chosen at run time)', () => {
    const script = [
      'build() {',
      '  local args=(',
      '    "build"',
      '    "-t" "localhost/blog-$1:latest"',
      '  )',
      '  podman "${args[@]}" .',
      '}',
    ].join('\n');
    expect(load(script).builds).toEqual(['localhost/blog-*:latest podman @4:11']);
  });
});

describe('k3s imports', () => {
  test('docker save piped into k3s ctr links the exact image', () => {
    const r = load('docker save kilo/financial:latest | sudo k3s ctr images import -');
    expect(r.imports).toEqual(['kilo/financial:latest - k3s ctr @1:13']);
    expect(r.signals).toEqual(['1:42']);
  });

  test('ctr in the k8s.io namespace, in every spelling', () => {
    expect(load('docker save app:1 | ctr -n k8s.io images import -').imports).toEqual(['app:1 - ctr -n k8s.io @1:13']);
    expect(load('docker save app:1 | ctr -n=k8s.io i import -').imports).toEqual(['app:1 - ctr -n k8s.io @1:13']);
    expect(load('docker save app:1 | sudo ctr --namespace k8s.io image import -').imports).toEqual([
      'app:1 - ctr -n k8s.io @1:13',
    ]);
    expect(load('docker save app:1 | k3s ctr -n k8s.io images import -').imports).toEqual(['app:1 - k3s ctr @1:13']);
  });

  test('ctr without -n k8s.io imports where k3s does not look: a note, not an import', () => {
    const r = load('docker save app:1 -o app.tar\nctr images import app.tar\n');
    expect(r.imports).toEqual([]);
    expect(r.notes[0]).toMatch(/^line 2: .*namespace k8s.io/);
  });

  test('a saved tarball is linked to its image when imported later in the file', () => {
    const script = [
      'docker save -o /tmp/fin.tar kilo/financial:latest',
      'docker save --output meds.tar kilo/meds:1',
      'docker save kilo/habits:1 > habits.tar',
      'docker save kilo/voice:1 | gzip > voice.tar.gz',
      'scp /tmp/fin.tar node:/tmp/',
      'sudo k3s ctr images import /tmp/fin.tar',
      'sudo k3s ctr -n k8s.io images import meds.tar',
      'sudo k3s ctr images import < habits.tar',
      'zcat voice.tar.gz | sudo k3s ctr images import -',
      'sudo k3s ctr images import unknown.tar',
    ].join('\n');
    expect(load(script).imports).toEqual([
      'kilo/financial:latest /tmp/fin.tar k3s ctr @6:28',
      'kilo/meds:1 meds.tar k3s ctr @7:38',
      'kilo/habits:1 habits.tar k3s ctr @8:30',
      'kilo/voice:1 voice.tar.gz k3s ctr @9:6',
      '- unknown.tar k3s ctr @10:28',
    ]);
  });

  test('k3d image import, kind load and the k3s agent images folder', () => {
    const script = [
      'k3d image import kilo/app:1 other/app:2 -c dev',
      'kind load docker-image kilo/app:1 --name dev',
      'docker save kilo/app:1 -o app.tar && sudo cp app.tar /var/lib/rancher/k3s/agent/images/',
      'docker save -o /var/lib/rancher/k3s/agent/images/b.tar kilo/b:1',
    ].join('\n');
    expect(load(script).imports).toEqual([
      'kilo/app:1 - k3d image import @1:18',
      'other/app:2 - k3d image import @1:29',
      'kilo/app:1 - kind load @2:24',
      'kilo/app:1 app.tar k3s agent images dir @3:46',
      'kilo/b:1 /var/lib/rancher/k3s/agent/images/b.tar k3s agent images dir @4:56',
    ]);
  });

  test('docker save through sudo tee into the agent images folder', () => {
    expect(
      load('docker save kilo/app:1 | sudo tee /var/lib/rancher/k3s/agent/images/app.tar >/dev/null').imports,
    ).toEqual(['kilo/app:1 /var/lib/rancher/k3s/agent/images/app.tar k3s agent images dir @1:13']);
  });

  test('docker save over ssh into a remote k3s', () => {
    expect(load("docker save kilo/app:1 | ssh pi@node 'sudo k3s ctr images import -'").imports).toEqual([
      'kilo/app:1 - k3s ctr @1:13',
    ]);
  });
});

describe('k3s signals', () => {
  test.each([
    ['sudo k3s kubectl apply -f k8s/', '1:6'],
    ['curl -sfL https://get.k3s.io | sh -', '1:11'],
    ['k3d cluster create dev', '1:1'],
    ['export KUBECONFIG=/etc/rancher/k3s/k3s.yaml', undefined],
    ['kubectl --kubeconfig /etc/rancher/k3s/k3s.yaml get pods', '1:22'],
  ])('%s', (script, expected) => {
    expect(load(script).signals).toEqual(expected ? [expected] : []);
  });
});

describe('build files', () => {
  test('Makefile: recipes, make variables, ?=, $$ and recipe prefixes', () => {
    const make = [
      'IMAGE ?= kilo/financial',
      'TAG := latest',
      '',
      'build: ## build the image',
      '\t@docker build -t $(IMAGE):$(TAG) .',
      '',
      'import: build',
      '\tdocker save ${IMAGE}:$(TAG) | sudo k3s ctr images import -',
      '\t-for s in a b; do docker build -t kilo/$$s:latest $$s; done',
      'docker build -t not/a/recipe .',
    ].join('\n');
    const r = load(make, 'makefile', 'Makefile');
    expect(r.builds).toEqual(['kilo/financial:latest docker @5:19', 'kilo/*:latest docker @9:36']);
    expect(r.imports).toEqual(['kilo/financial:latest - k3s ctr @8:14']);
    expect(r.signals).toEqual(['8:37']);
  });

  test('justfile: := variables, {{ interpolation }}, recipe parameters', () => {
    const just = [
      'image := "kilo/app"',
      '',
      'build tag="dev":',
      '    docker build -t {{image}}:{{ tag }} .',
      '',
      'import:',
      '    @docker save {{image}}:dev | sudo k3s ctr images import -',
    ].join('\n');
    const r = load(just, 'justfile', 'justfile');
    expect(r.builds).toEqual(['kilo/app:dev docker @4:21']);
    expect(r.imports).toEqual(['kilo/app:dev - k3s ctr @7:18']);
  });

  test('Taskfile: vars and cmds with {{.VAR}}, lines inside block scalars', () => {
    const task = [
      'version: "3"',
      'vars:',
      '  IMAGE: kilo/app:latest',
      '  SHA: {sh: git rev-parse HEAD}',
      'tasks:',
      '  build:',
      '    cmds:',
      '      - docker build -t {{.IMAGE}} .',
      '      - cmd: docker build -t kilo/app:{{.SHA}} .',
      '      - |',
      '        docker save {{.IMAGE}} \\',
      '          | sudo k3s ctr images import -',
    ].join('\n');
    const r = load(task, 'taskfile', 'Taskfile.yml');
    expect(r.builds).toEqual(['kilo/app:latest docker @8:25', 'kilo/app:* docker @9:30']);
    expect(r.imports).toEqual(['kilo/app:latest - k3s ctr @11:21']);
  });

  test('workflow: run steps at their real lines, env and ${{ env.X }}, build-push-action without push', () => {
    const wf = [
      'name: deploy',
      'on: push',
      'env:',
      '  IMAGE: kilo/financial:latest',
      'jobs:',
      '  deploy:',
      '    runs-on: self-hosted',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - name: build',
      '        run: docker build -t "$IMAGE" .',
      '      - name: import',
      '        run: |',
      '          echo importing',
      '',
      '          docker save ${{ env.IMAGE }} | sudo k3s ctr images import -',
      '      - uses: docker/build-push-action@v6',
      '        with:',
      '          load: true',
      '          tags: |',
      '            kilo/web:latest',
      '            kilo/web:${{ github.sha }}',
    ].join('\n');
    const r = load(wf, 'workflow', '.github/workflows/deploy.yml');
    expect(r.builds).toEqual([
      'kilo/financial:latest docker @11:31',
      'kilo/web:latest buildx @21:13',
      'kilo/web:* buildx @22:13',
    ]);
    expect(r.imports).toEqual(['kilo/financial:latest - k3s ctr @16:23']);
    expect(r.signals).toEqual(['16:47']);
  });

  test('workflow: the script of an SSH deploy action is read as shell', () => {
    const wf = [
      'jobs:',
      '  deploy:',
      '    steps:',
      '      - uses: appleboy/ssh-action@v1',
      '        with:',
      '          host: pi.local',
      '          script: |',
      '            cd /srv/app && docker build -t kilo/app:latest .',
      '            docker save kilo/app:latest | sudo k3s ctr images import -',
    ].join('\n');
    const r = load(wf, 'workflow', 'wf.yml');
    expect(r.builds).toEqual(['kilo/app:latest docker @8:44']);
    expect(r.imports).toEqual(['kilo/app:latest - k3s ctr @9:25']);
  });

  test('workflow: build-push-action whose push depends on the event is not a local image', () => {
    const wf = [
      'jobs:',
      '  b:',
      '    steps:',
      '      - uses: docker/build-push-action@v6',
      '        with:',
      "          push: ${{ github.event_name != 'pull_request' }}",
      '          tags: ghcr.io/a/app:latest',
    ].join('\n');
    expect(load(wf, 'workflow', 'wf.yml').builds).toEqual([]);
  });

  test('invalid workflow YAML is an error with its line, not a crash', () => {
    const r = load('jobs:\n  a: [1, 2\n', 'workflow', 'wf.yml');
    expect(r.errors[0]).toMatchObject({ file: 'wf.yml' });
    expect(r.errors[0]?.message).toMatch(/^invalid YAML/);
    expect(r.files).toBe(1);
  });

  test('never throws on arbitrary text', () => {
    for (const junk of [
      '"unterminated',
      "it's",
      '$(((',
      '${',
      'a=(',
      '<<EOF',
      '\\',
      '`',
      'docker build -t',
      'docker save | k3s ctr i import',
    ]) {
      for (const kind of ['shell', 'makefile', 'justfile', 'taskfile', 'workflow', 'dockerfile'] as const) {
        expect(() => loadScriptText('x', junk, kind)).not.toThrow();
      }
    }
  });
});

describeShared('real scripts from the corpus', () => {
  test('naabbasi: docker save --output then k3s ctr import of the tarball', () => {
    const file = resolve(SHARED, 'corpus/naabbasi-nodejs-deploy/k3s-build-deploy.sh');
    const r = load(readFileSync(file, 'utf8'), 'shell', 'k3s-build-deploy.sh');
    expect(r.imports).toEqual(['deploy_ecommerce_app:latest deploy_ecommerce_app-latest.tar k3s ctr @3:28']);
    expect(r.signals.length).toBeGreaterThanOrEqual(3);
  });

  test('gsgfs: podman/docker builds through arrays, imported with $builder save | k3s ctr', () => {
    const file = resolve(SHARED, 'corpus/gsgfs-blog-backend-scripts/k3s-build.sh');
    const r = load(readFileSync(file, 'utf8'), 'shell', 'k3s-build.sh');
    expect(r.builds).toEqual(['localhost/blog-*:latest podman @36:15', 'localhost/blog-*:latest docker @50:15']);
    expect(r.imports).toEqual(['localhost/blog-*:latest - k3s ctr @85:24']);
    expect(r.signals).toEqual(['85:60']);
  });
});

describe('Dockerfiles', () => {
  test('SQLite URLs in ENV are literals the container runs with', () => {
    const p = loadScriptText(
      'Dockerfile',
      'FROM python:3.12\n# ENV OLD=sqlite:////tmp/old.db\nENV DATABASE_URL=sqlite:////tmp/app.db\n',
      'dockerfile',
    );
    expect(p.sqliteLiterals.map((l) => [l.path, l.at])).toEqual([
      ['/tmp/app.db', { kind: 'pos', file: 'Dockerfile', line: 3, column: 18 }],
    ]);
  });
});
