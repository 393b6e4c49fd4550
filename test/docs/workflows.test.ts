/**
 * Every workflow in .github/workflows passes GitHub's own workflow parser and our rules
 * (test/support/workflow-lint.ts), and the release workflow does what a release needs.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { lintWorkflow } from '../support/workflow-lint.js';
import { repoPath } from '../support/repo.js';

const DIR = repoPath('.github/workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const read = (f: string): string => readFileSync(`${DIR}/${f}`, 'utf8');

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any; // workflow YAML is arbitrary; the assertions are the type check

describe('.github/workflows', () => {
  test('holds ci, release and the self-check', () => {
    expect(files.sort()).toEqual(['ci.yml', 'persistguard.yml', 'release.yml']);
  });

  test.each(files)('%s passes the workflow lint', async (f) => {
    expect(await lintWorkflow(read(f), f)).toEqual([]);
  });

  test('ci runs the README test command on Node 20, 22 and 24', () => {
    const ci = parse(read('ci.yml')) as Any;
    expect(ci.jobs.test.strategy.matrix.node).toEqual([20, 22, 24]);
    expect(ci.jobs.test.steps.map((s: Any) => s.run).filter(Boolean)).toEqual(['.ci/run']);
    expect(readFileSync(repoPath('.ci/run'), 'utf8')).toMatch(/npm ci[^\n]*\nnpm test/);
  });

  describe('release', () => {
    const wf = parse(read('release.yml')) as Any;
    const jobs = wf.jobs as Record<string, Any>;
    const uses = (job: string): string[] => jobs[job].steps.map((s: Any) => s.uses).filter(Boolean);
    const runs = (job: string): string => jobs[job].steps.map((s: Any) => s.run ?? '').join('\n');
    const withOf = (job: string, action: string): Any =>
      jobs[job].steps.find((s: Any) => String(s.uses).startsWith(`${action}@`))?.with;

    test('runs on version tags only, with no token permissions by default', () => {
      expect(Object.keys(wf.on)).toEqual(['push']);
      expect(wf.on.push.branches).toBeUndefined();
      for (const t of wf.on.push.tags) expect(t).toMatch(/^v\[0-9\]/);
      expect(wf.permissions).toEqual({});
    });

    test('tests first, and checks the tag against the versions the package, chart and manifests carry', () => {
      expect(runs('test')).toMatch(/node scripts\/set-version\.mjs --check "\$version"/);
      expect(runs('test')).toContain('.ci/run');
      for (const [id, job] of Object.entries(jobs))
        if (id !== 'test') expect([id, [job.needs].flat()]).toEqual([id, expect.arrayContaining(['test'])]);
    });

    test('publishes to npm with provenance (id-token: write)', () => {
      expect(runs('npm')).toMatch(/npm publish --provenance/);
      expect(jobs.npm.permissions['id-token']).toBe('write');
    });

    test('builds a multi-arch image with SBOM and provenance, signs it keylessly', () => {
      const build = withOf('image', 'docker/build-push-action');
      expect(build.platforms.split(',').sort()).toEqual(['linux/amd64', 'linux/arm64']);
      expect(build).toMatchObject({ push: true, sbom: true, provenance: 'mode=max' });
      expect(uses('image')).toEqual(expect.arrayContaining([expect.stringMatching(/^sigstore\/cosign-installer@/)]));
      expect(runs('image')).toMatch(/cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/);
      expect(jobs.image.permissions).toMatchObject({ packages: 'write', 'id-token': 'write', attestations: 'write' });
    });

    test('pushes the chart as an OCI artifact with version and appVersion from the tag, after the image', () => {
      expect(jobs.chart.needs).toEqual(expect.arrayContaining(['image']));
      expect(runs('chart')).toMatch(
        /helm package deploy\/helm\/persistguard --version "\$VERSION" --app-version "\$VERSION"/,
      );
      expect(runs('chart')).toMatch(/helm push [^\n]* "oci:\/\//);
      expect(runs('chart')).toMatch(/cosign sign --yes/);
    });

    test('moves the Action major tag (not for pre-releases) and creates a GitHub release with notes', () => {
      expect(jobs['action-tag'].if).toMatch(/prerelease == 'false'/);
      expect(runs('action-tag')).toMatch(/git tag --force "\$major" "\$GITHUB_SHA"/);
      expect(runs('action-tag')).toMatch(/git push --force origin "refs\/tags\/\$major"/);
      expect(jobs['action-tag'].permissions).toEqual({ contents: 'write' });
      expect(runs('github-release')).toMatch(/gh release create "\$TAG" --verify-tag --generate-notes/);
    });
  });
});

describe('the workflow lint is not a no-op', () => {
  const ok = `on: push
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: s
        uses: actions/checkout@v4
      - run: echo \${{ steps.s.outputs.ref }}
`;

  test('a clean workflow passes', async () => {
    expect(await lintWorkflow(ok, 'ok.yml')).toEqual([]);
  });

  test.each([
    [
      'a flow mapping holding ${{ }} (the README bug)',
      ok.replace(
        'uses: actions/checkout@v4',
        'uses: actions/checkout@v4\n        with: { path: ${{ github.workspace }} }',
      ),
      /flow-map/,
    ],
    [
      'a step with both uses and run',
      ok.replace('- run: echo', '  run: echo x\n      - run: echo'),
      /Unexpected value 'run'/,
    ],
    ['an unknown permission scope', ok.replace('contents: read', 'contents: read, bogus: write'), /bogus/],
    ['an unclosed expression', ok.replace('outputs.ref }}', 'outputs.ref }'), /expression is not closed/],
    ['a branch ref', ok.replace('@v4', '@main'), /'main' is not a release tag/],
    ['no ref', ok.replace('@v4', ''), /no version/],
    ['write at the top level', ok.replace('contents: read', 'contents: write'), /'contents: write' at the top level/],
    ['no top-level permissions', ok.replace('permissions: { contents: read }\n', ''), /no top-level permissions/],
    ['a step id that does not exist', ok.replace('steps.s.', 'steps.t.'), /no step has id 't'/],
  ])('%s is reported', async (_name, text, message) => {
    const problems = await lintWorkflow(text, 'bad.yml');
    expect(problems.join('\n')).toMatch(message);
  });
});
