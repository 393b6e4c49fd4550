import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateConfigObject } from '../../policies/config/load.js';
import { catalog, catalogEntryFor } from '../../policies/facts/data-paths-resolve.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../policies/facts/catalog/images.json');

describe('built-in image catalog', () => {
  test('is a valid config file for the shipped schema', () => {
    const obj: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(validateConfigObject(obj)).toEqual([]);
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
  ])('knows %s', (image) => {
    expect(catalogEntryFor(image)).toBeDefined();
  });
});
