/** Compose reads `.env` for interpolation, `env_file:` for the environment and `build:` Dockerfiles (#7). */
import { describe, expect, test } from '@jest/globals';
import { parseDotenv } from '../../policies/load/compose/dotenv.js';
import { buildBase } from '../../policies/load/compose/build-base.js';
import { loadText } from '../../policies/load/index.js';

describe('parseDotenv', () => {
  test('reads KEY=VALUE, export, quotes, comments, and earlier keys', () => {
    expect(
      parseDotenv(
        [
          '# comment',
          'A=1',
          'export B = two',
          "C='lit ${A} # kept'",
          'D="x\\ny"',
          'E=plain # trailing comment',
          'F=${A}-${B}',
          'not a line',
        ].join('\n'),
      ),
    ).toEqual({ A: '1', B: 'two', C: 'lit ${A} # kept', D: 'x\ny', E: 'plain', F: '1-two' });
  });
});

describe('buildBase', () => {
  test('follows stage names and ARG defaults to the final stage base; collects its VOLUMEs', () => {
    const b = buildBase(
      [
        'ARG PG=16',
        'FROM --platform=$BUILDPLATFORM node:20 AS assets',
        'RUN build',
        'FROM postgres:${PG} AS base',
        'VOLUME ["/extra"]',
        'FROM base',
        'VOLUME /var/lib/app \\',
        '       /var/log/app',
      ].join('\n'),
    );
    expect(b).toEqual({ from: 'postgres:16', volumes: ['/extra', '/var/lib/app', '/var/log/app'] });
  });

  test('no FROM: nothing known', () => {
    expect(buildBase('# empty\n')).toEqual({ volumes: [] });
  });
});

describe('compose companions through loadText', () => {
  const files: Record<string, string> = {
    '.env': 'TAG=16\nIMG=mariadb:11\n',
    'app.env': 'DATA_DIR=/srv/data\n',
    'db/Dockerfile': 'FROM postgres:16\nVOLUME /var/lib/postgresql/data\n',
  };
  const read = (rel: string): string | undefined => files[rel];
  const compose = [
    'services:',
    '  pg: { image: "postgres:${TAG}" }',
    '  maria: { image: "${IMG}" }',
    '  unknown: { image: "postgres:${NOPE}" }',
    '  app: { image: acme/app, env_file: [app.env], environment: { DATA_DIR: /override } }',
    '  built: { build: ./db, image: acme/db }',
    '  missing: { image: acme/x, env_file: nothere.env }',
  ].join('\n');

  test('.env interpolates, env_file feeds env (environment wins), build reads its Dockerfile', () => {
    const p = loadText('compose.yaml', compose, { readCompanion: read });
    const byName = new Map(p.workloads.map((w) => [w.resource.name, w.containers[0]]));
    expect(byName.get('pg')?.image?.value).toBe('postgres:16');
    expect(byName.get('maria')?.image?.value).toBe('mariadb:11');
    expect(byName.get('unknown')?.image).toBeUndefined();
    expect(byName.get('unknown')?.imageTemplate).toBe('postgres:${NOPE}');
    expect(byName.get('app')?.env.map((e) => `${e.name}=${e.value}`)).toEqual([
      'DATA_DIR=/srv/data',
      'DATA_DIR=/override',
    ]);
    expect(byName.get('built')?.buildFrom?.value).toBe('postgres:16');
    expect(byName.get('built')?.buildVolumes).toEqual(['/var/lib/postgresql/data']);
    expect(p.notes.map((n) => n.message)).toEqual([
      'env_file contents could not be read: variables set only there count as unknown',
    ]);
  });

  test('without a companion reader (stdin, webhook) nothing is read and nothing breaks', () => {
    const p = loadText('compose.yaml', compose);
    const byName = new Map(p.workloads.map((w) => [w.resource.name, w.containers[0]]));
    expect(byName.get('pg')?.image).toBeUndefined();
    expect(byName.get('pg')?.imageTemplate).toBe('postgres:${TAG}');
    expect(byName.get('built')?.buildFrom).toBeUndefined();
  });
});
