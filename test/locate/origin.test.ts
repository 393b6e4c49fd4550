/**
 * Positions in rendered documents mapped back to the template or patch a person edits (no renderer here:
 * the rendered text is written out as helm/kustomize would produce it).
 */
import { describe, expect, test } from '@jest/globals';
import { createLocator } from '../../policies/locate/locate.js';
import { findInSource, probeOf } from '../../policies/locate/origin.js';
import type { DocRef, PathSegment } from '../../policies/model/model.js';

const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          volumeMounts:
            - name: cache
              mountPath: /cache
            - name: data
              mountPath: {{ .Values.dataDir }}
      volumes:
        - name: cache
          emptyDir: {}
        - name: data
          {{- if .Values.persistence.enabled }}
          persistentVolumeClaim:
            claimName: {{ include "app.fullname" . }}
          {{- else }}
          emptyDir: {}
          {{- end }}
`;

const RENDERED = `# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-app
spec:
  template:
    spec:
      containers:
        - name: app
          image: "ghcr.io/acme/app:1.2"
          volumeMounts:
            - name: cache
              mountPath: /cache
            - name: data
              mountPath: /var/lib/app
      volumes:
        - name: cache
          emptyDir: {}
        - name: data
          emptyDir: {}
`;

function locateIn(
  path: PathSegment[],
  origin: DocRef['origin'] = { producedBy: 'helm chart app', sourceText: TEMPLATE },
) {
  const doc: DocRef = { file: 'app/templates/deployment.yaml', index: 0, text: RENDERED, lineOffset: 1, origin };
  return createLocator()({ kind: 'node', doc, path });
}

const line = (text: string, n: number): string => text.split('\n')[n - 1] ?? '';
const MOUNTS = ['spec', 'template', 'spec', 'containers', 0, 'volumeMounts'];

describe('rendered → source positions', () => {
  test.each<[string, PathSegment[], RegExp]>([
    ['a mount item: its `- name:` line, the n-th of equal lines', [...MOUNTS, 1], /- name: data/],
    [
      'a mount path written through a value: the key line',
      [...MOUNTS, 1, 'mountPath'],
      /mountPath: \{\{ \.Values\.dataDir/,
    ],
    ['an image built from values: the image line', ['spec', 'template', 'spec', 'containers', 0, 'image'], /image:/],
    [
      'the second emptyDir: the second emptyDir line of the template',
      ['spec', 'template', 'spec', 'volumes', 1, 'emptyDir'],
      /^ {10}emptyDir: \{\}/,
    ],
    ['a path that is not in the document: the kind line', ['spec', 'nothing', 'here'], /^kind:|^spec:/],
  ])('%s', (_name, path, expected) => {
    const loc = locateIn(path);
    expect(loc.file).toBe('app/templates/deployment.yaml');
    expect(line(TEMPLATE, loc.line)).toMatch(expected);
  });

  test('the first `- name: data` is the mount, the second is the volume', () => {
    expect(locateIn([...MOUNTS, 1]).line).toBe(14);
    expect(locateIn(['spec', 'template', 'spec', 'volumes', 1]).line).toBe(19);
  });

  test('a patch that wrote the volume of an offending mount wins over the template', () => {
    const patch = {
      file: 'overlays/dev/scratch.yaml',
      text: 'spec:\n  template:\n    spec:\n      volumes:\n        - name: data\n          emptyDir: {}\n',
    };
    const loc = locateIn([...MOUNTS, 1], {
      producedBy: 'kustomize overlay dev',
      sourceText: TEMPLATE,
      patches: [patch],
    });
    expect(loc.file).toBe('overlays/dev/scratch.yaml');
    expect(line(patch.text, loc.line)).toMatch(/emptyDir/);
  });

  test('a patch that changes something else does not take the finding', () => {
    const patch = {
      file: 'overlays/prod/image.yaml',
      text: 'spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:2\n',
    };
    const loc = locateIn([...MOUNTS, 1], {
      producedBy: 'kustomize overlay prod',
      sourceText: TEMPLATE,
      patches: [patch],
    });
    expect(loc.file).toBe('app/templates/deployment.yaml');
  });

  test('no source text (an archived subchart): line 1 of the file named', () => {
    const loc = locateIn([...MOUNTS, 1], { producedBy: 'helm chart app' });
    expect(loc).toMatchObject({ file: 'app/templates/deployment.yaml', line: 1, column: 1 });
  });

  test('probeOf reads the key and value of the rendered line, quotes removed', () => {
    const at = RENDERED.indexOf('"ghcr.io');
    expect(probeOf(RENDERED, ['image'], [at, at + 22])).toEqual({
      key: 'image',
      value: 'ghcr.io/acme/app:1.2',
      ordinal: 0,
    });
  });

  test('findInSource ignores comment lines', () => {
    const src = '# mountPath: /data is where it goes\nspec:\n  mountPath: /data\n';
    expect(findInSource(src, { key: 'mountPath', value: '/data', ordinal: 0 })?.line).toBe(3);
  });
});
