/**
 * The checked-in bundle, run as the runner runs it: `node dist/index.js` with INPUT_* variables (dashes
 * kept, as in INPUT_FAIL-ON), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_EVENT_PATH, over real files,
 * with the real engine. GitHub's REST API is a local HTTP server (test double: no GitHub here) reached
 * through GITHUB_API_URL, so the real Octokit client is exercised.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { parseAllDocuments } from 'yaml';
import { commitTree, git } from '../support/git.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(repoRoot, 'dist/index.js');
const EXAMPLES = path.join(repoRoot, 'examples');
const require = createRequire(import.meta.url);

interface Run {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  dir: string;
}

let tmp: string;
let server: Server;
let apiUrl: string;
const requests: { method: string; url: string; body: string }[] = [];
const comments: { id: number; body: string }[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pg-dist-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && /\/issues\/\d+\/comments$/.test(url.pathname))
        return res.end(JSON.stringify(comments));
      if (req.method === 'POST' && /\/issues\/\d+\/comments$/.test(url.pathname)) {
        const c = { id: 77, body: (JSON.parse(body) as { body: string }).body };
        comments.push(c);
        res.statusCode = 201;
        return res.end(JSON.stringify({ ...c, html_url: 'https://github.com/x/y/pull/1#issuecomment-77' }));
      }
      if (req.method === 'PATCH' && /\/issues\/comments\/77$/.test(url.pathname)) {
        comments[0]!.body = (JSON.parse(body) as { body: string }).body;
        return res.end(JSON.stringify(comments[0]));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'Not Found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

function workspace(name: string, files: Record<string, string>): string {
  const ws = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    writeFileSync(path.join(ws, rel), text);
  }
  return ws;
}

function runDist(ws: string, inputs: Record<string, string>, event?: { name: string; payload: object }): Promise<Run> {
  const runDir = mkdtempSync(path.join(tmp, 'run-'));
  const outputFile = path.join(runDir, 'output');
  const summaryFile = path.join(runDir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const eventPath = path.join(runDir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event?.payload ?? {}));
  // Only what a runner sets: nothing of this test process's GITHUB_*/INPUT_* leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_PROXY: '127.0.0.1',
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: runDir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_EVENT_NAME: event?.name ?? 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '99',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: apiUrl,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [DIST], { cwd: ws, env, timeout: 20_000 }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({
        code,
        stdout,
        outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
        dir: runDir,
      });
    });
  });
}

/** GITHUB_OUTPUT's heredoc format: `name<<delimiter\nvalue\ndelimiter`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]!] = m[3]!;
  return out;
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  namespace: shop
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16
          volumeMounts:
            - name: scratch
              mountPath: /var/lib/postgresql/data
      volumes:
        - name: scratch
          emptyDir: {}
`;

const describeDist = existsSync(DIST) ? describe : describe.skip;

describeDist('dist/index.js as a child process', () => {
  test('scans, annotates, writes outputs, summary and every report file, and fails on errors', async () => {
    const ws = workspace('basic', { 'k8s/db.yaml': DEPLOY, 'docs/readme.md': '# hi\n' });
    const r = await runDist(ws, {
      'fail-on': 'error',
      'github-token': 'ghs_x',
      format: 'json sarif junit markdown policyreport',
      'sarif-file': 'persistguard.sarif',
    });
    expect(r.code).toBe(1);
    // an annotation workflow command at the volume mount (lines 14-16 of the manifest)
    const annotation =
      /^::error title=([a-z-]+),file=k8s\/db\.yaml,line=(\d+),endLine=(\d+)(?:,col=\d+,endColumn=\d+)?::(.*)$/m.exec(
        r.stdout,
      );
    expect(annotation).not.toBeNull();
    expect(Number(annotation![2])).toBeGreaterThanOrEqual(13);
    expect(Number(annotation![3])).toBeLessThanOrEqual(16);
    expect(annotation![4]).toContain('/var/lib/postgresql/data');
    expect(annotation![4]).toContain('%0AFix: ');
    expect(r.stdout).toContain('::error::persistguard: ');
    expect(Number(r.outputs.errors)).toBeGreaterThan(0);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.outputs['report-dir']).toBe(path.join(r.dir, 'persistguard'));
    expect(r.outputs['sarif-file']).toBe(path.join(ws, 'persistguard.sarif'));
    expect(r.summary).toContain('### `k8s/db.yaml`');

    const dir = r.outputs['report-dir']!;
    const json = JSON.parse(readFileSync(path.join(dir, 'persistguard.json'), 'utf8')) as {
      findings: { file: string; line: number }[];
      summary: { errors: number };
    };
    expect(json.findings.some((f) => f.file === 'k8s/db.yaml' && f.line === Number(annotation![2]))).toBe(true);
    expect(String(json.summary.errors)).toBe(r.outputs.errors);
    const sarif = JSON.parse(readFileSync(path.join(ws, 'persistguard.sarif'), 'utf8')) as {
      version: string;
      runs: { results: unknown[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.length).toBe(json.findings.length);
    expect(XMLValidator.validate(readFileSync(path.join(dir, 'persistguard.junit.xml'), 'utf8'))).toBe(true);
    expect(readFileSync(path.join(dir, 'persistguard.md'), 'utf8')).toContain('## persistguard');
    const docs = parseAllDocuments(readFileSync(path.join(dir, 'policyreport.yaml'), 'utf8')).map(
      (d) => d.toJSON() as { kind: string; metadata: { namespace?: string } },
    );
    expect(docs).toEqual([
      expect.objectContaining({ kind: 'PolicyReport', metadata: expect.objectContaining({ namespace: 'shop' }) }),
    ]);
  });

  test('a pull_request event with comment: true creates, then updates one comment through the REST API (test double: a local HTTP server)', async () => {
    const ws = workspace('pr', { 'k8s/db.yaml': DEPLOY });
    const defs = JSON.parse(readFileSync(require.resolve('@octokit/webhooks-examples'), 'utf8')) as {
      name: string;
      examples: { action?: string; number?: number }[];
    }[];
    const payload = defs.find((d) => d.name === 'pull_request')!.examples.find((e) => e.action === 'opened')!;
    const event = { name: 'pull_request', payload };
    const first = await runDist(ws, { 'fail-on': 'never', 'github-token': 'ghs_x', comment: 'true' }, event);
    expect(first.code).toBe(0);
    const second = await runDist(ws, { 'fail-on': 'never', 'github-token': 'ghs_x', comment: 'true' }, event);
    expect(second.code).toBe(0);
    expect(requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    expect(requests[0]!.url).toMatch(
      new RegExp(`/repos/acme/shop/issues/${payload.number}/comments\\?per_page=100&page=1`),
    );
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith('<!-- persistguard -->\n## persistguard')).toBe(true);
  });

  test('pull_request on a shallow clone: finds the base commit by itself, fetches it and reports data-not-carried-over', async () => {
    const originDir = path.join(tmp, 'origin');
    mkdirSync(originDir);
    git(originDir, 'init', '-q', '-b', 'main');
    const ledger = (mount: boolean) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ledger, namespace: shop }\nspec:\n  template:\n    spec:\n      containers:\n        - name: ledger\n          image: ghcr.io/acme/ledger:1.4\n          env: [{ name: DATABASE_URL, value: "sqlite:////data/ledger.db" }]\n` +
      (mount
        ? `          volumeMounts: [{ name: data, mountPath: /data }]\n      volumes: [{ name: data, persistentVolumeClaim: { claimName: ledger-data } }]\n`
        : '');
    const baseSha = commitTree(originDir, workspace('origin-base', { 'k8s/ledger.yaml': ledger(false) }), 'base');
    const headSha = commitTree(originDir, workspace('origin-head', { 'k8s/ledger.yaml': ledger(true) }), 'head');
    const ws = path.join(tmp, 'shallow-checkout');
    git(tmp, 'clone', '-q', '--depth=1', `file://${originDir}`, ws);
    expect(git(ws, 'rev-parse', '--is-shallow-repository').trim()).toBe('true');
    expect(() => git(ws, 'cat-file', '-e', `${baseSha}^{commit}`)).toThrow();

    const payload = { pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } } };
    const r = await runDist(ws, { 'fail-on': 'never', format: 'json' }, { name: 'pull_request', payload });
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(r.outputs['report-dir']!, 'persistguard.json'), 'utf8')) as {
      findings: { ruleId: string; file: string; message: string }[];
    };
    const carried = json.findings.filter((f) => f.ruleId === 'data-not-carried-over');
    expect(carried.map((f) => f.file)).toEqual(['k8s/ledger.yaml']);
    expect(carried[0]!.message).toContain('/data/ledger.db in the container filesystem');
    expect(r.summary).toContain('data-not-carried-over');
    // The same workspace on a push event (no base-ref, no pull request): nothing to compare with.
    const push = await runDist(ws, { 'fail-on': 'never', format: 'json' });
    const pushJson = JSON.parse(readFileSync(path.join(push.outputs['report-dir']!, 'persistguard.json'), 'utf8')) as {
      findings: { ruleId: string }[];
    };
    expect(pushJson.findings.filter((f) => f.ruleId === 'data-not-carried-over')).toEqual([]);
  });

  test('a base-ref that cannot be fetched warns and scans the head alone', async () => {
    const ws = workspace('no-base', { 'k8s/db.yaml': DEPLOY });
    git(ws, 'init', '-q', '-b', 'main');
    const r = await runDist(ws, { 'fail-on': 'never', format: 'json', 'base-ref': 'a'.repeat(40) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::warning title=persistguard::base-ref a{40}: git fetch origin/);
    expect(r.outputs['exit-code']).toBe('0');
  });

  test('a path outside the workspace fails the step with exit-code 2 and scans nothing', async () => {
    const ws = workspace('escape', { 'a.yaml': DEPLOY });
    const r = await runDist(ws, { paths: '../', 'fail-on': 'never' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::persistguard: paths: "..\/" is outside the workspace/);
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.outputs.findings).toBeUndefined();
  });

  const testExamples = existsSync(EXAMPLES) ? test : test.skip;
  testExamples('runs over the repository examples/ and writes its reports', async () => {
    const ws = path.join(tmp, 'examples-ws');
    cpSync(EXAMPLES, path.join(ws, 'examples'), { recursive: true });
    const r = await runDist(ws, { paths: 'examples', 'fail-on': 'never' });
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(r.outputs['report-dir']!, 'persistguard.json'), 'utf8')) as {
      findings: { file: string }[];
    };
    expect(json.findings.length).toBe(Number(r.outputs.findings) + Number(r.outputs.suppressed));
    expect(json.findings.every((f) => f.file.startsWith('examples/'))).toBe(true);
    expect(r.summary).toContain('## persistguard');
  });
});
