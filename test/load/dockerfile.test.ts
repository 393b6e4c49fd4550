/**
 * The Dockerfile reader: final-stage facts with positions, the Dockerfile reference's syntax (directives,
 * continuations, heredocs, exec and shell forms, ARG/ENV substitution, stages), and no throw on any input.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { finalStage, parseDockerfile, substitute } from '../../policies/load/dockerfile/parse.js';
import { loadText } from '../../policies/load/index.js';

const at = (line: number, column: number) => ({ kind: 'pos', file: 'Dockerfile', line, column });

describe('parseDockerfile', () => {
  test('stages, ARG before FROM, WORKDIR, ENV, VOLUME and COPY/ADD destinations with positions', () => {
    const text = [
      'ARG BASE=python:3.12-slim', //1
      'FROM ${BASE} AS build', //2
      'WORKDIR /src', //3
      'ENV SECRET_DIR=/build-only', //4
      'FROM ${BASE}', //5
      'ARG BASE', //6
      'ENV APP=/app DATA_DIR=$APP/data', //7
      'WORKDIR ${APP}', //8
      'COPY --from=build /src/dist ./dist', //9
      'COPY seed/ ${DATA_DIR}/', //10
      '  ADD ["defaults.json", "conf/"]', //11
      'VOLUME ["/app/data", "/var/log/app"]', //12
      'VOLUME cache', //13
    ].join('\n');
    const m = parseDockerfile('Dockerfile', text);
    expect(m.stages.map((s) => [s.base, s.name])).toEqual([
      ['python:3.12-slim', 'build'],
      ['python:3.12-slim', undefined],
    ]);
    const s = finalStage(m)!;
    expect(s.workdir).toBe('/app');
    // the build stage's ENV does not leak into the final stage
    expect(s.env.map((e) => [e.name, e.value])).toEqual([
      ['APP', '/app'],
      ['DATA_DIR', '/app/data'],
    ]);
    expect(s.env[1]!.at).toEqual(at(7, 5));
    expect(s.copies.map((c) => [c.instruction, c.dest, c.from, c.sources])).toEqual([
      ['COPY', '/app/dist', 'build', ['/src/dist']],
      ['COPY', '/app/data', undefined, ['seed/']],
      ['ADD', '/app/conf', undefined, ['defaults.json']],
    ]);
    expect(s.copies[2]!.at).toEqual(at(11, 7));
    expect(s.volumes.map((v) => v.value)).toEqual(['/app/data', '/var/log/app', '/app/cache']);
    expect(s.volumes[0]!.at).toEqual(at(12, 8));
  });

  test('continuations (also with the backtick escape directive), comments inside them, and heredocs', () => {
    const text = [
      '# escape=`', //1
      'FROM mcr.microsoft.com/windows/servercore', //2
      'COPY a.txt `', //3
      '  # a comment inside the continuation', //4
      '  C:/data/', //5
      'RUN <<EOF', //6
      'COPY not-an-instruction /nowhere', //7
      'EOF', //8
      'VOLUME /after', //9
    ].join('\n');
    const s = finalStage(parseDockerfile('Dockerfile', text))!;
    expect(s.copies.map((c) => [c.dest, c.at])).toEqual([['/C:/data', at(3, 6)]]);
    expect(s.volumes.map((v) => [v.value, v.at])).toEqual([['/after', at(9, 8)]]);
  });

  test('a stage FROM an earlier stage inherits its workdir, env and copies', () => {
    const s = finalStage(
      parseDockerfile('Dockerfile', 'FROM alpine AS base\nWORKDIR /srv\nCOPY seed /srv/data\nFROM base\nENV X=1\n'),
    )!;
    expect(s.workdir).toBe('/srv');
    expect(s.copies.map((c) => c.dest)).toEqual(['/srv/data']);
  });

  test('legacy `ENV NAME value`, quoted values, and substitution forms', () => {
    const s = finalStage(
      parseDockerfile('Dockerfile', 'FROM x\nENV DATA_DIR /var/lib/x\nENV A="two words" B=\'$A\'\n'),
    )!;
    expect(s.env.map((e) => [e.name, e.value])).toEqual([
      ['DATA_DIR', '/var/lib/x'],
      ['A', 'two words'],
      ['B', 'two words'],
    ]);
    const vars = new Map([['SET', 'v']]);
    expect(substitute('${SET:-d} ${UNSET:-d} ${SET:+alt} ${UNSET:+alt}x $SET \\$SET', vars)).toBe('v d alt x v $SET');
  });

  test('instructions before FROM (other than ARG) and junk lines are ignored', () => {
    const m = parseDockerfile('Dockerfile', 'COPY a /b\n}}} not docker\nFROM alpine\nVOLUME /v\n');
    expect(finalStage(m)!.volumes.map((v) => v.value)).toEqual(['/v']);
    expect(m.errors).toEqual([]);
  });

  test('never throws, and stays bounded, on any text', () => {
    const alphabet = fc.constantFrom(
      'FROM ',
      'COPY ',
      'ADD ',
      'VOLUME ',
      'ENV ',
      'ARG ',
      'WORKDIR ',
      'RUN ',
      '<<EOF',
      'EOF',
      '\\',
      '`',
      '\n',
      ' ',
      '$',
      '{',
      '}',
      ':-',
      '"',
      "'",
      '[',
      ']',
      '/a',
      '..',
      '=',
      '# escape=`\n',
      '--from=x ',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
        (text) => {
          const m = parseDockerfile('Dockerfile', text);
          for (const s of m.stages) for (const c of s.copies) expect(c.dest.startsWith('/')).toBe(true);
        },
      ),
      { numRuns: 3000, seed: 9 },
    );
  });

  test('a Dockerfile loads as a script (builds, imports) and as a Dockerfile model', () => {
    const p = loadText('services/api/Dockerfile', 'FROM node:22\nWORKDIR /srv\nVOLUME /srv/data\n');
    expect(p.errors).toEqual([]);
    expect(p.dockerfiles).toHaveLength(1);
    expect(p.dockerfiles[0]!.file).toBe('services/api/Dockerfile');
    expect(finalStage(p.dockerfiles[0]!)!.volumes[0]!.at).toEqual({
      kind: 'pos',
      file: 'services/api/Dockerfile',
      line: 3,
      column: 8,
    });
  });

  test('build steps say which Dockerfile builds which image (scripts and compose)', () => {
    const sh = loadText(
      'scripts/build.sh',
      '#!/bin/sh\ndocker build --build-arg V=1 -t acme/api:dev -f services/api/Dockerfile .\nnerdctl build -t acme/web ./web\n',
    );
    expect(sh.imageSources.map((s) => [s.image, s.dockerfile, s.from])).toEqual([
      ['acme/api:dev', 'services/api/Dockerfile', 'scripts/build.sh'],
      ['acme/web', './web/Dockerfile', 'scripts/build.sh'],
    ]);
    const wf = loadText(
      '.github/workflows/release.yml',
      [
        'on: push',
        'jobs:',
        '  image:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          context: services/api',
        '          push: true',
        '          tags: ghcr.io/acme/api:1.2.0,ghcr.io/acme/api:latest',
      ].join('\n'),
    );
    expect(wf.imageSources.map((s) => [s.image, s.dockerfile])).toEqual([
      ['ghcr.io/acme/api:1.2.0', 'services/api/Dockerfile'],
      ['ghcr.io/acme/api:latest', 'services/api/Dockerfile'],
    ]);
    expect(wf.builds).toEqual([]); // pushed: not a local-only image
    const compose = loadText(
      'stack/docker-compose.yml',
      'name: shop\nservices:\n  api:\n    build: { context: ./api, dockerfile: Dockerfile.prod }\n  web:\n    build: ./web\n    image: acme/web:2\n',
    );
    expect(compose.imageSources.map((s) => [s.image, s.dockerfile])).toEqual([
      ['shop-api', './api/Dockerfile.prod'],
      ['acme/web:2', './web/Dockerfile'],
    ]);
  });
});
