import {
  effectivePullPolicy,
  imageAliases,
  isMutableTag,
  normalizeImage,
  parseImage,
  sameImage,
} from '../../policies/facts/images.js';

describe('normalizeImage', () => {
  test.each([
    ['postgres', 'docker.io/library/postgres:latest'],
    ['postgres:16', 'docker.io/library/postgres:16'],
    ['docker.io/library/postgres:16', 'docker.io/library/postgres:16'],
    ['index.docker.io/library/postgres:16', 'docker.io/library/postgres:16'],
    ['kilo/financial:latest', 'docker.io/kilo/financial:latest'],
    ['docker.io/kilo/financial', 'docker.io/kilo/financial:latest'],
    ['localhost/blog-app:latest', 'localhost/blog-app:latest'],
    ['registry.local:5000/team/app:1.2', 'registry.local:5000/team/app:1.2'],
    ['ghcr.io/Open-WebUI/open-webui:main', 'ghcr.io/open-webui/open-webui:main'],
    ['postgres@sha256:abc', 'docker.io/library/postgres@sha256:abc'],
    ['postgres:16@sha256:abc', 'docker.io/library/postgres:16@sha256:abc'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeImage(raw)).toBe(expected);
  });

  test('unresolved templates and empty strings are not parsed', () => {
    expect(parseImage('${IMAGE}')).toBeUndefined();
    expect(parseImage('')).toBeUndefined();
    expect(parseImage('{{ .Values.image }}')).toBeUndefined();
  });

  test('shortName is the last repository segment', () => {
    expect(parseImage('bitnami/postgresql:16')?.shortName).toBe('postgresql');
    expect(parseImage('mirror.gcr.io/library/redis')?.shortName).toBe('redis');
  });
});

describe('sameImage', () => {
  test('spellings of one image match', () => {
    expect(sameImage('kilo/app:1', 'docker.io/kilo/app:1')).toBe(true);
    expect(sameImage('deploy_ecommerce_app:latest', 'docker.io/library/deploy_ecommerce_app:latest')).toBe(true);
    expect(sameImage('app', 'app:latest')).toBe(true);
  });
  test('different registries, repositories or tags do not', () => {
    expect(sameImage('localhost/blog-app:latest', 'blog-app:latest')).toBe(false);
    expect(sameImage('kilo/app:1', 'kilo/app:2')).toBe(false);
    expect(sameImage('kilo/app:1', 'kilo/other:1')).toBe(false);
  });
  test('digests decide when both sides have one', () => {
    expect(sameImage('app@sha256:aa', 'docker.io/library/app@sha256:aa')).toBe(true);
    expect(sameImage('app@sha256:aa', 'app@sha256:bb')).toBe(false);
  });
});

describe('pull policy', () => {
  test.each([
    ['app', undefined, 'Always'],
    ['app:latest', undefined, 'Always'],
    ['app:1.0', undefined, 'IfNotPresent'],
    ['app@sha256:aa', undefined, 'IfNotPresent'],
    ['app:latest', 'Never', 'Never'],
    ['app:1.0', 'Always', 'Always'],
    ['app:1.0', 'bogus', 'IfNotPresent'],
  ])('%s with %s → %s', (image, explicit, expected) => {
    expect(effectivePullPolicy(image, explicit)).toBe(expected);
  });

  test('mutable tags', () => {
    expect(isMutableTag('app')).toBe(true);
    expect(isMutableTag('app:latest')).toBe(true);
    expect(isMutableTag('app:1')).toBe(false);
    expect(isMutableTag('app:latest@sha256:aa')).toBe(false);
  });
});

test('imageAliases include the digest-only form so node status lookups match', () => {
  expect(imageAliases('kilo/app:1@sha256:aa')).toEqual([
    'docker.io/kilo/app:1@sha256:aa',
    'docker.io/kilo/app@sha256:aa',
  ]);
  expect(imageAliases('kilo/app:1')).toEqual(['docker.io/kilo/app:1']);
});
