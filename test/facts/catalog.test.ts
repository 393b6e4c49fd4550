import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { validateConfigObject } from '../../policies/config/load.js';
import { catalog, catalogEntryFor } from '../../policies/facts/data-paths-resolve.js';
import { catalogLookup, type CatalogEntry } from '../../policies/facts/catalog.js';
import { imageMatches } from '../../policies/facts/image-match.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies/facts/catalog/images.json');

describe('built-in image catalog', () => {
  test('is valid for its own schema, and its config-shaped fields are a valid config file', () => {
    const obj = JSON.parse(readFileSync(file, 'utf8')) as { dataPaths: Record<string, unknown>[] };
    const schema = JSON.parse(readFileSync(path.join(path.dirname(file), 'catalog.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(obj) ? [] : validate.errors).toEqual([]);
    const configShaped = obj.dataPaths.map((e) =>
      Object.fromEntries(Object.entries(e).filter(([k]) => ['name', 'image', 'paths', 'pathEnv', 'note'].includes(k))),
    );
    expect(validateConfigObject({ dataPaths: configShaped })).toEqual([]);
  });

  test('has 100+ entries, each citing where its data path is documented', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(100);
    for (const e of catalog) expect(e.source).toMatch(/^https:\/\//);
  });

  test('every entry is named, has an image glob and absolute paths; names are unique', () => {
    const names = catalog.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const e of catalog) {
      expect(e.name).toMatch(/^[a-z0-9-]+$/);
      expect(e.image).toBeTruthy();
      for (const p of e.paths) expect(p).toMatch(/^\/[^\s]*[^/]$/);
    }
  });

  test.each([
    'postgres:16',
    'mysql:8.4',
    'mariadb:11',
    'mongo:7',
    'redis:7',
    'valkey/valkey:8',
    'qdrant/qdrant:v1.12.0',
    'cr.weaviate.io/semitechnologies/weaviate:1.26.1',
    'ollama/ollama:latest',
    'ghcr.io/open-webui/open-webui:main',
    'docker.n8n.io/n8nio/n8n:1.64.0',
    'ghost:5-alpine',
    'wordpress:6.6-apache',
    'nextcloud:29',
    'grafana/grafana-oss:11.2.0',
    'prom/prometheus:v2.54.1',
    'grafana/loki:3.1.0',
    'influxdb:1.8',
    'influxdb:2.7',
    'influxdb:3-core',
    'docker.elastic.co/elasticsearch/elasticsearch:8.15.0',
    'elasticsearch:7.16.1',
    'opensearchproject/opensearch:2',
    'quay.io/minio/minio',
    'gitea/gitea:1.22',
    'codeberg.org/forgejo/forgejo:9',
    'vaultwarden/server:1.32.0',
    'louislam/uptime-kuma:1',
    'ghcr.io/home-assistant/home-assistant:stable',
    'rabbitmq:3-management',
    'quay.io/coreos/etcd:v3.5.15',
    'registry.k8s.io/etcd:3.5.15-0',
    'clickhouse/clickhouse-server:24.8',
    'bitnami/postgresql:16',
    'bitnami/mysql:8.4',
    'bitnami/mariadb:11',
    'bitnami/mongodb:7',
    'bitnami/redis:7.2',
    'zookeeper:3.9',
    'confluentinc/cp-kafka:7.7.0',
    'apache/kafka:3.8.0',
    'cassandra:5',
    'minio/minio:RELEASE.2024-10-02T17-50-41Z',
    'jellyfin/jellyfin:10.9',
    'ghcr.io/paperless-ngx/paperless-ngx:2.12',
    'mattermost/mattermost-team-edition:9.11',
    'quay.io/keycloak/keycloak:25.0',
    'lscr.io/linuxserver/sonarr:latest',
    'sonatype/nexus3:3.72.0',
    'getmeili/meilisearch:v1.10',
    'eclipse-mosquitto:2',
    'quay.io/prometheus/prometheus:v2.54.1',
  ])('knows %s', (image) => {
    expect(catalogEntryFor(image)).toBeDefined();
  });

  test.each([
    ['mcr.microsoft.com/oss/bitnami/redis:7.2', 'bitnami-redis'],
    ['public.ecr.aws/bitnami/redis:7.2', 'bitnami-redis'],
    ['public.ecr.aws/bitnami/postgresql:16', 'bitnami-postgresql'],
    ['registry.example.com/dockerhub/library/postgres:16', 'postgres'],
    ['harbor.example.com/dockerhub/bitnami/valkey:8', 'bitnami-valkey'],
    ['docker.io/library/postgres:16', 'postgres'],
    ['ghcr.io/acme/mirror/grafana/grafana:11', 'grafana'],
  ])('mirror %s is %s (matched by its trailing repository path)', (image, name) => {
    expect(catalogEntryFor(image)?.name).toBe(name);
  });

  test('a one-segment pattern stays an official image: acme/postgres and acme/redis are not in the catalog', () => {
    expect(catalogEntryFor('acme/postgres:1')).toBeUndefined();
    expect(catalogEntryFor('ghcr.io/acme/redis:1')).toBeUndefined();
  });

  test.each([
    ['postgres:${POSTGRES_VERSION}', 'postgres-18', false],
    ['postgres:${POSTGRES_VERSION:-16}', 'postgres-18', false],
    ['${IMG:-postgres:16}', 'postgres', true],
    ['${REGISTRY}/bitnami/redis:${TAG}', 'bitnami-redis', false],
    ['postgres@${DIGEST}', 'postgres-18', false],
    ['postgres:latest', 'postgres-18', true],
    ['postgres', 'postgres-18', true],
    ['postgres:17-alpine', 'postgres', true],
    ['influxdb:${V}', 'influxdb-2', false],
  ])('a variable keeps the repository: %s → %s (tag known: %s)', (image, name, tagKnown) => {
    const hit = catalogLookup(image);
    expect(hit?.entry.name).toBe(name);
    expect(hit?.tagKnown).toBe(tagKnown);
  });

  test('the repository itself as a variable is not guessed', () => {
    expect(catalogLookup('${IMAGE}')).toBeUndefined();
    expect(catalogLookup('acme/${APP}:1')).toBeUndefined();
  });
});

describe('catalog lookup by last segment', () => {
  // The lookup tries only the entries whose pattern can match the image's last segment; it must pick exactly
  // the entry a walk of the whole catalog in order picks.
  const linear = (image: string): CatalogEntry | undefined =>
    catalog.find((e) => e.image !== undefined && imageMatches(e.image, image, { mirrors: true }));
  const spellings = (pattern: string): string[] => {
    const concrete = pattern
      .replace(/\{([^,}]*)[^}]*\}/g, '$1')
      .replace(/\*\*/g, 'a/b')
      .replace(/\*/g, 'x');
    const [repo, tag] = concrete.split(':');
    const out = [concrete, `${repo}:${tag ?? '1.0'}`, `${repo}@sha256:${'a'.repeat(64)}`, repo!.toUpperCase()];
    for (const prefix of ['docker.io/', 'docker.io/library/', 'mirror.gcr.io/library/', 'harbor.example.com/hub/'])
      out.push(`${prefix}${repo}`, `${prefix}${repo}:${tag ?? 'latest'}`);
    out.push(`${repo}-suffix`, `prefix-${repo}`, `${repo}/extra`);
    return out;
  };
  const images = [
    ...catalog.flatMap((e) => spellings(e.image ?? '')),
    'ghcr.io/acme/app-9:latest',
    'registry.example.com/web/frontend:1.0.4',
    'nginx:1.27',
    'quay.io/coreos/etcd:v3.5',
    'k8s.gcr.io/etcd:3.5.0-0',
  ];

  test(`agrees with a walk of the whole catalog on ${images.length} spellings`, () => {
    const differing = images.filter((image) => catalogLookup(image)?.entry !== linear(image));
    expect(differing).toEqual([]);
    // The spellings do reach most entries: the comparison is not vacuous.
    const hit = new Set(images.map((image) => linear(image)?.name).filter(Boolean));
    expect(hit.size).toBeGreaterThan(catalog.length * 0.8);
  });
});
