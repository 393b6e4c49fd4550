/**
 * The bundled examples, scanned by the CLI as a user would: every `broken/` folder must report the
 * findings its story is about (exit 1), every `fixed/` folder must scan clean (exit 0), and a scan of the
 * whole folder (the README's first command) must exit 1 with readable output.
 */
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { realBinaries } from '../support/binaries.js';
import { repoRoot, runCli } from '../support/cli.js';

// Story 005 renders charts and overlays with the real helm and kubectl: child processes, seconds on a loaded CI box.
jest.setTimeout(90_000);

const examples = join(repoRoot, 'examples');

// The real helm and kubectl on PATH, as on a hosted runner: the charts and overlays of 005 are rendered.
let toolPath = process.env.PATH ?? '';

/** `persistguard scan ...args` from the repository root, in-process (test/cli/cli.test.ts spawns the binary). */
const scan = (args: string[]) => runCli(['scan', ...args], { env: { NO_COLOR: '1', PATH: toolPath } });

interface JsonFinding {
  ruleId: string;
  severity: string;
  path?: string;
  file: string;
  suppressed: boolean;
}

/** What each story must trigger: `rule severity path` (a subset; the rules may find more). */
const EXPECTED: Record<string, string[]> = {
  '000-portal-data-dir': ['data-path-pvc error /app/data'],
  '001-k3s-sqlite-local-images': [
    'k3s-image-import error kilo/financial:latest',
    'k3s-image-import error kilo/meds:latest',
    'k3s-image-import warning kilo/financial:latest',
    'sqlite-in-tmp error /tmp/financial.db',
    'data-path-pvc error /data',
  ],
  '002-compose-named-volumes': [
    'data-path-pvc error /app/state',
    'data-path-pvc error /qdrant/storage',
    'data-path-pvc warning /app/data',
  ],
  '003-paas-per-service-claims': [
    'data-path-pvc error /home/node/.n8n',
    'data-path-pvc error /var/lib/ghost/content',
    'rwo-shared-claim error wordpress-acme-data',
    'reclaim-delete warning /var/www/html',
  ],
  '005-chart-and-overlay-defaults': [
    'data-path-pvc error /var/lib/postgresql/data',
    'data-path-pvc error /var/lib/mysql',
  ],
  '004-bind-mounted-persistent-data': [
    'data-path-pvc error /app/persistent_data/ml_models',
    // redis and prometheus declare VOLUME /data and /prometheus: compose gives them anonymous volumes (a warning).
    'data-path-pvc warning /data',
    'data-path-pvc warning /prometheus',
    'data-path-pvc error /var/lib/grafana',
  ],
};

const stories = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

beforeAll(() => {
  toolPath = realBinaries().path;
}, 120_000);

describe('examples', () => {
  test('every story has broken/ and fixed/ and an expectation here', () => {
    expect(stories).toEqual(Object.keys(EXPECTED).sort());
    for (const s of stories) {
      expect(existsSync(join(examples, s, 'broken'))).toBe(true);
      expect(existsSync(join(examples, s, 'fixed'))).toBe(true);
    }
  });

  test('persistguard scan examples exits 1 with readable output', async () => {
    const r = await scan(['examples']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}\d+:\d+ {2}error {4}\S+ {2}\S/m);
    expect(r.stdout).toMatch(/\d+ errors?, \d+ warnings? \(\d+ files, \d+ resources scanned\)\./);
    expect(r.stdout).not.toMatch(/examples\/[^/]+\/fixed\/\S+:\d+:\d+ {2}error/);
  });

  describe.each(Object.keys(EXPECTED))('%s', (story) => {
    test('broken/ reports the story (exit 1)', async () => {
      const r = await scan(['--format', 'json', join('examples', story, 'broken')]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { findings: JsonFinding[]; errors: unknown[] };
      expect(report.errors).toEqual([]);
      const got = report.findings.map((f) => `${f.ruleId} ${f.severity} ${f.path ?? ''}`);
      expect(got).toEqual(expect.arrayContaining(EXPECTED[story] as string[]));
    });

    test('fixed/ scans clean (exit 0, no findings)', async () => {
      const r = await scan(['--format', 'json', '--fail-on', 'warning', join('examples', story, 'fixed')]);
      const report = JSON.parse(r.stdout) as { findings: JsonFinding[]; errors: unknown[] };
      expect(report.findings.map((f) => `${f.file}:${f.ruleId}:${f.path ?? ''}`)).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(r.code).toBe(0);
    });
  });
});
