/**
 * Expectations over real third-party files (../shared/corpus): the bugs a user would want caught are
 * caught, and correct setups pass. Each folder (or group of folders from one repo) is one scan unit.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanPaths } from '../../policies/engine/scan.js';
import { defaultConfig } from '../../policies/config/types.js';
import type { Finding } from '../../policies/model/findings.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(repoRoot, '../shared');
const CORPUS = path.join(SHARED, 'corpus');
const describeShared = existsSync(CORPUS) ? describe : describe.skip;

async function scan(...folders: string[]): Promise<Finding[]> {
  const r = await scanPaths(folders, { config: defaultConfig(), cwd: CORPUS, now: new Date('2026-06-01T12:00:00Z') });
  expect(r.errors).toEqual([]);
  return r.findings;
}

const brief = (fs: Finding[], rule?: string) =>
  fs
    .filter((f) => !rule || f.ruleId === rule)
    .map((f) => `${f.ruleId} ${f.severity} ${f.file}:${f.line} ${f.container ?? ''} ${f.path ?? ''}`.trim());

describeShared('corpus expectations (../shared/corpus)', () => {
  test('gcp-microservices-demo: redis-cart keeps /data on an emptyDir', async () => {
    const fs = await scan('gcp-microservices-demo');
    expect(brief(fs)).toEqual(['data-path-pvc error gcp-microservices-demo/cartservice.yaml:130 redis /data']);
    expect(fs[0]?.message).toContain('emptyDir volume "redis-data"');
  });

  test('kubernetes-examples-javaee: mysql without volumes', async () => {
    expect(brief(await scan('kubernetes-examples-javaee'))).toEqual([
      'data-path-pvc error kubernetes-examples-javaee/mysql-pod.yaml:11 mysql /var/lib/mysql',
    ]);
  });

  test('ollama-examples-kubernetes: /root/.ollama is not mounted', async () => {
    const fs = await scan('ollama-examples-kubernetes');
    expect(brief(fs)).toEqual(['data-path-pvc error ollama-examples-kubernetes/cpu.yaml:23 ollama /root/.ollama']);
    expect(fs[0]?.message).toContain('no volume is mounted there');
  });

  test('gke-samples-cost-estimator-wordpress: one RWO claim under 4 replicas (and an HPA)', async () => {
    const fs = await scan('gke-samples-cost-estimator-wordpress');
    expect(brief(fs, 'rwo-shared-claim')).toEqual([
      'rwo-shared-claim error gke-samples-cost-estimator-wordpress/wordpress_deployment.yaml:25  wordpress-volumeclaim',
    ]);
    expect(fs.find((f) => f.ruleId === 'rwo-shared-claim')?.message).toContain('runs 4 replicas');
  });

  test('rook-examples: both data claims use rook-ceph-block, reclaimPolicy Delete', async () => {
    expect(brief(await scan('rook-examples'))).toEqual([
      'reclaim-delete warning rook-examples/mysql.yaml:64 mysql /var/lib/mysql',
      'reclaim-delete warning rook-examples/wordpress.yaml:66 wordpress /var/www/html',
    ]);
  });

  test('longhorn-examples-rwx: a ReadWriteMany claim shared by 3 replicas is fine', async () => {
    expect(brief(await scan('longhorn-examples-rwx'))).toEqual([]);
  });

  test('n8n-hosting-kubernetes: postgres with PGDATA in a subdirectory of its PVC passes', async () => {
    const fs = await scan('n8n-hosting-kubernetes');
    expect(brief(fs, 'data-path-pvc')).toEqual([]);
    // The n8n claim file is not part of the corpus copy; the folder defines claims for the namespace.
    expect(brief(fs)).toEqual(['pvc-missing warning n8n-hosting-kubernetes/n8n-deployment.yaml:72  n8n-claim0']);
  });

  test('gsgfs blog backend (base + overlay + scripts): the base image blog-app:latest is not the imported localhost/blog-app:latest', async () => {
    const fs = await scan(
      'gsgfs-blog-backend-k8s-base',
      'gsgfs-blog-backend-k8s-overlay-dev',
      'gsgfs-blog-backend-scripts',
    );
    const k3s = fs.filter((f) => f.ruleId === 'k3s-image-import');
    expect(k3s.map((f) => `${f.file}:${f.line} ${f.container} ${f.path}`)).toEqual([
      'gsgfs-blog-backend-k8s-base/django.yaml:28 wait-for-db blog-app:latest',
      'gsgfs-blog-backend-k8s-base/django.yaml:44 blog-django blog-app:latest',
    ]);
    expect(k3s[0]?.message).toContain('localhost/blog-app:latest');
    expect(k3s[0]?.remediation).toContain('docker save localhost/blog-app:latest | sudo k3s ctr images import -');
    // pg18 keeps PGDATA in /var/lib/postgresql/18/docker, under the PVC mounted at /var/lib/postgresql.
    expect(brief(fs, 'data-path-pvc')).toEqual([]);
  });

  test('naabbasi-nodejs-deploy: a Never-pulled local image that the script imports passes', async () => {
    expect(brief(await scan('naabbasi-nodejs-deploy'))).toEqual([]);
  });

  test('ory-kratos: SQLite on a named volume, written by a migration step then the server, passes', async () => {
    expect(brief(await scan('ory-kratos'))).toEqual([]);
  });

  test('docker-awesome-compose: services without their data volumes', async () => {
    const fs = await scan(
      'docker-awesome-compose-nextcloud-redis-mariadb',
      'docker-awesome-compose-wordpress-mysql',
      'docker-awesome-compose-prometheus-grafana',
      'docker-awesome-compose-elasticsearch-logstash-kibana',
      'docker-awesome-compose-gitea-postgres',
      'docker-awesome-compose-react-express-mongodb',
    );
    expect(fs.map((f) => `${f.ruleId} ${f.container} ${f.path}`).sort()).toEqual([
      // postgres:alpine is postgres 18: PGDATA moved to /var/lib/postgresql/18/docker, so the named volume at
      // /var/lib/postgresql/data holds nothing; the data lands on the anonymous VOLUME /var/lib/postgresql.
      'data-path-pvc db /var/lib/postgresql/18/docker',
      'data-path-pvc elasticsearch /usr/share/elasticsearch/data',
      'data-path-pvc grafana /var/lib/grafana',
      'data-path-pvc redis /data',
      'data-path-pvc wordpress /var/www/html',
    ]);
  });

  test('docker-library docs: postgres and mongo examples keep data on their image VOLUME (anonymous: warning); influxdb 3 data-dir is bind-mounted', async () => {
    const fs = await scan(
      'docker-library-docs-postgres',
      'docker-library-docs-mongo',
      'docker-library-docs-influxdb',
      'docker-library-docs-ghost',
    );
    expect(fs.map((f) => `${f.ruleId} ${f.severity} ${f.container} ${f.path}`).sort()).toEqual([
      // `image: postgres` is postgres 18 (latest): its data dir is /var/lib/postgresql/18/docker.
      'data-path-pvc warning db /var/lib/postgresql/18/docker',
      'data-path-pvc warning mongo /data/db',
    ]);
  });

  test('drupal: anonymous volumes are warnings, also the one postgres:16 gets from its image VOLUME', async () => {
    const fs = await scan('docker-library-docs-drupal');
    expect(fs.map((f) => `${f.severity} ${f.container} ${f.path}`)).toEqual([
      'warning drupal /var/www/html/sites',
      'warning postgres /var/lib/postgresql/data',
    ]);
  });

  test('easy-kanban: redis on emptyDir; postgres PGDATA subdir on a local-path PVC (Delete)', async () => {
    expect(brief(await scan('easy-kanban-k8s'))).toEqual([
      'reclaim-delete warning easy-kanban-k8s/postgres-deployment-pg.yaml:76 postgres /var/lib/postgresql/data/pgdata',
      'data-path-pvc error easy-kanban-k8s/redis-deployment-pg.yaml:33 redis /data',
    ]);
  });

  test('correct setups pass: minio server /storage on a PVC, stateful mysql with Retain, open-webui, uptime-kuma, alby hub, n8n compose', async () => {
    // minio alone: its claim file is not in the corpus copy, and other folders define claims in `default`.
    expect(brief(await scan('kubernetes-examples-minio'))).toEqual([]);
    const fs = await scan(
      'gke-samples-stateful-mysql',
      'open-webui-kubernetes-manifest-base',
      'uptime-kuma-docker',
      'getalby-hub',
      'n8n-hosting-compose-withpostgres',
      'kubernetes-examples-mysql-wordpress-pd',
    );
    expect(brief(fs)).toEqual([]);
  });

  test('cassandra: claim templates pass data-path-pvc; the class "fast" has no reclaimPolicy (Delete)', async () => {
    expect(brief(await scan('kubernetes-examples-cassandra'))).toEqual([
      'reclaim-delete warning kubernetes-examples-cassandra/cassandra-statefulset.yaml:100 cassandra /var/lib/cassandra',
    ]);
  });

  test('getalby tests postgres: a tmpfs data dir is reported (exempt it with a reason if it is a throwaway test DB)', async () => {
    expect(brief(await scan('getalby-hub-tests-db-postgres'))).toEqual([
      'data-path-pvc error getalby-hub-tests-db-postgres/docker-compose.yml:16 pgtestdb /var/lib/postgresql/data',
    ]);
  });
});
