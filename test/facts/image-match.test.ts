import { describe, expect, test } from '@jest/globals';
import { factNamesImage, imageMatches } from '../../policies/facts/image-match.js';
import { catalogEntryFor } from '../../policies/facts/data-paths-resolve.js';

describe('imageMatches: a pattern without registry matches any registry, tags and digests', () => {
  test.each([
    ['postgres', 'postgres'],
    ['postgres', 'postgres:16'],
    ['postgres', 'docker.io/library/postgres:16'],
    ['postgres', 'index.docker.io/library/postgres:16-alpine'],
    ['postgres', 'postgres@sha256:0123456789abcdef'],
    ['postgres', 'mirror.gcr.io/library/postgres'],
    ['postgres', 'public.ecr.aws/docker/library/postgres:17'],
    ['open-webui/open-webui', 'ghcr.io/open-webui/open-webui:main'],
    ['pgvector/pgvector', 'pgvector/pgvector:pg18'],
    ['bitnami*/postgresql*', 'docker.io/bitnamilegacy/postgresql:16.4.0'],
    ['ghcr.io/acme/*', 'ghcr.io/acme/api:1.2'],
    ['kilo/*', 'kilo/financial:latest'],
    ['postgres:16*', 'postgres:16.3-alpine'],
  ])('%s matches %s', (pattern, image) => {
    expect(imageMatches(pattern, image)).toBe(true);
  });

  test.each([
    ['postgres', 'bitnami/postgresql'],
    ['postgres', 'someorg/postgres'],
    ['postgres', 'postgres-exporter'],
    ['ghcr.io/acme/*', 'docker.io/acme/api'],
    ['kilo/*', 'kilo'],
    ['postgres:16*', 'postgres:15'],
    ['redis', 'redis/redis-stack'],
  ])('%s does not match %s', (pattern, image) => {
    expect(imageMatches(pattern, image)).toBe(false);
  });
});

describe('factNamesImage: build/import facts against manifest references', () => {
  test('docker.io/library/x:latest == x == x:latest', () => {
    expect(factNamesImage('blog-app', 'docker.io/library/blog-app:latest')).toBe(true);
    expect(factNamesImage('blog-app:latest', 'blog-app')).toBe(true);
  });
  test('localhost/x is its own registry', () => {
    expect(factNamesImage('localhost/blog-app:latest', 'blog-app:latest')).toBe(false);
    expect(factNamesImage('localhost/blog-app:latest', 'localhost/blog-app')).toBe(true);
  });
  test('a different tag is a different image', () => {
    expect(factNamesImage('kilo/financial:v2', 'kilo/financial:v1')).toBe(false);
  });
  test('an unresolved shell variable (*) in a fact is a glob', () => {
    expect(factNamesImage('localhost/blog-*:latest', 'localhost/blog-app:latest')).toBe(true);
    expect(factNamesImage('kilo/*:latest', 'kilo/financial')).toBe(true);
    expect(factNamesImage('kilo/*:latest', 'kilo/financial:v1')).toBe(false);
    expect(factNamesImage('registry.local/*', 'kilo/financial')).toBe(false);
  });
});

describe('catalog matching picks the vendor variant first', () => {
  test.each([
    ['postgres:16', 'postgres', ['/var/lib/postgresql/data']],
    ['postgres:18-alpine', 'postgres-18', ['/var/lib/postgresql/18/docker']],
    ['pgvector/pgvector:pg18-trixie', 'pgvector-18', ['/var/lib/postgresql/18/docker']],
    ['bitnami/postgresql:16', 'bitnami-postgresql', ['/bitnami/postgresql']],
    ['bitnami/redis:7.2', 'bitnami-redis', ['/bitnami/redis/data']],
    ['bitnami/mongodb', 'bitnami-mongodb', ['/bitnami/mongodb']],
    ['redis:alpine', 'redis', ['/data']],
    ['influxdb:1.8', 'influxdb-1', ['/var/lib/influxdb']],
    ['influxdb:2.7', 'influxdb-2', ['/var/lib/influxdb2']],
    ['influxdb:3-core', 'influxdb-3', ['/var/lib/influxdb3']],
    ['ghcr.io/open-webui/open-webui:main', 'open-webui', ['/app/backend/data']],
    ['quay.io/minio/minio', 'minio', ['/data']],
    ['gitea/gitea:1.22-rootless', 'gitea-rootless', ['/var/lib/gitea']],
  ])('%s → %s', (image, name, paths) => {
    const e = catalogEntryFor(image);
    expect(e?.name).toBe(name);
    expect(e?.paths).toEqual(paths);
  });
  test('an unknown image has no entry', () => {
    expect(catalogEntryFor('kilo/financial:latest')).toBeUndefined();
  });
});

describe('catalog globs do not catch sibling images that hold no data', () => {
  test.each([
    'grafana/grafana-image-renderer:3',
    'bitnami/mongodb-exporter:0.40',
    'percona/percona-server-mongodb:7',
    'timescale/timescaledb-ha:pg16',
  ])('%s has no entry', (image) => {
    expect(catalogEntryFor(image)).toBeUndefined();
  });
  test.each([
    ['grafana/grafana-enterprise:11', 'grafana'],
    ['bitnami/mongodb-sharded:7', 'bitnami-mongodb'],
    ['percona/percona-server:8.0', 'percona'],
    ['percona:8', 'percona'],
  ])('%s → %s', (image, name) => {
    expect(catalogEntryFor(image)?.name).toBe(name);
  });
});
