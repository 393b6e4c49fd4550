/**
 * Docs that work: every ```yaml block in README.md and docs/**\/*.md parses; workflow examples (whole
 * workflows, or lists of steps) pass the workflow lint; config examples load without an error through the
 * real config loader. Plus the editor and hook conventions: the schema's https $id, the
 * `# yaml-language-server` line, and .pre-commit-hooks.yaml.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../policies/config/load.js';
import { main } from '../../cli/main.js';
import { PassThrough } from 'node:stream';
import { lintWorkflow } from '../support/workflow-lint.js';
import { REPO_ROOT, repoPath } from '../support/repo.js';

interface Block {
  file: string;
  line: number;
  text: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(repoPath(dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(`${dir}/${e.name}`) : e.name.endsWith('.md') ? [`${dir}/${e.name}`] : [],
  );
}

/** Fenced ```yaml / ```yml blocks, with the line the block's text starts on, de-indented. */
export function yamlBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ya?ml)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    const body = lines.slice(start, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
    blocks.push({ file, line: start + 1, text: body.join('\n') });
    i = end;
  }
  return blocks;
}

const FILES = ['README.md', ...markdownFiles('docs')].sort();
const BLOCKS = FILES.flatMap((f) => yamlBlocks(f, readFileSync(repoPath(f), 'utf8')));
const CONFIG_KEYS = new Set(
  Object.keys(
    (JSON.parse(readFileSync(repoPath('policies/schema/persistguard.schema.json'), 'utf8')) as { properties: object })
      .properties,
  ),
);
const SCHEMA_ID =
  'https://raw.githubusercontent.com/persistguard/persistguard/main/policies/schema/persistguard.schema.json';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const where = (b: Block): string => `${b.file}:${b.line}`;
const value = (b: Block): unknown => parse(b.text);

const isWorkflow = (v: unknown): boolean => isObj(v) && 'jobs' in v && 'on' in v;
const isStepList = (v: unknown): boolean =>
  Array.isArray(v) && v.length > 0 && v.every((s) => isObj(s) && ('uses' in s || 'run' in s));
/** A config example: marked with our schema, or a mapping whose keys are all config keys. */
const isConfig = (b: Block, v: unknown): boolean =>
  b.text.includes('persistguard.schema.json') ||
  (isObj(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => CONFIG_KEYS.has(k)));

/** A list of steps becomes the one job of a minimal workflow, so the lint judges it in context. */
function asWorkflow(steps: string): string {
  const indented = steps
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  return `on: pull_request\npermissions: { contents: read }\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n${indented}\n`;
}

describe('YAML in README.md and docs/', () => {
  test('the docs hold YAML blocks, and the README its workflow and config examples', () => {
    expect(BLOCKS.length).toBeGreaterThan(20);
    const readme = BLOCKS.filter((b) => b.file === 'README.md').map(value);
    expect(readme.filter(isWorkflow).length).toBe(1);
  });

  test.each(BLOCKS.map((b) => [where(b), b] as const))('%s parses', (_where, b) => {
    const errors = parseAllDocuments(b.text).flatMap((d) =>
      d.errors.map((e) => `${b.file}:${b.line + (e.linePos?.[0].line ?? 1) - 1}: ${e.message.split('\n')[0]}`),
    );
    expect(errors).toEqual([]);
  });

  const workflows = BLOCKS.filter((b) => {
    const v = parseAllDocuments(b.text)[0]?.toJS() as unknown;
    return isWorkflow(v) || isStepList(v);
  });
  test('workflow examples exist in README.md and docs/action.md', () => {
    expect(new Set(workflows.map((b) => b.file))).toEqual(new Set(['README.md', 'docs/action.md']));
  });
  test.each(workflows.map((b) => [where(b), b] as const))('%s is a valid workflow', async (_where, b) => {
    const text = isWorkflow(value(b)) ? b.text : asWorkflow(b.text);
    expect(await lintWorkflow(text, where(b))).toEqual([]);
  });

  const configs = BLOCKS.filter((b) => {
    const docs = parseAllDocuments(b.text);
    return docs.length === 1 && docs[0]!.errors.length === 0 && isConfig(b, docs[0]!.toJS());
  });
  test('config examples exist in README.md, docs/config.md and the rule pages', () => {
    const files = new Set(configs.map((b) => b.file));
    expect(files).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    for (const f of ['README.md', 'docs/config.md']) expect(files.has(f)).toBe(true);
  });
  test.each(configs.map((b) => [where(b), b] as const))('%s loads as a config without errors', (_where, b) => {
    expect(parseConfig(b.text, where(b)).errors).toEqual([]);
  });
});

describe('the README workflow', () => {
  const wf = value(BLOCKS.find((b) => b.file === 'README.md' && isWorkflow(value(b)))!) as {
    permissions: Obj;
    jobs: Record<string, { permissions: Obj; steps: Obj[] }>;
  };
  const job = Object.values(wf.jobs)[0]!;
  const step = (action: string): Obj => job.steps.find((s) => String(s.uses).startsWith(action))!;

  test('asks for exactly the permissions its steps use', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'security-events': 'write' });
    // pull-requests: write is for the comment: it must be enabled.
    expect(String((step('persistguard/persistguard@') as { with: Obj }).with.comment)).toMatch(/^\$\{\{.+\}\}$/);
  });

  test('uploads SARIF only when the Action wrote one, and not from forks', () => {
    const upload = step('github/codeql-action/upload-sarif@') as { if: string; with: Obj };
    expect(upload.if).toContain("steps.persist.outputs.sarif-file != ''");
    expect(upload.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(upload.with.sarif_file).toBe('${{ steps.persist.outputs.sarif-file }}');
  });

  test('says what happens on pull requests from forks', () => {
    expect(readFileSync(repoPath('README.md'), 'utf8')).toMatch(
      /\*\*Pull requests from forks\*\*[^]*pull_request_target/,
    );
  });
});

describe('editor and hook conventions', () => {
  test('the config schema has an https $id at a stable URL that names the file in this repository', () => {
    const schema = JSON.parse(readFileSync(repoPath('policies/schema/persistguard.schema.json'), 'utf8')) as Obj;
    expect(schema.$id).toBe(SCHEMA_ID);
    expect(schema.$schema).toMatch(/^https?:\/\/json-schema\.org\/draft-07\/schema#$/);
    expect(String(schema.title)).toContain('.persistguard.yaml');
    expect(String(schema.description).length).toBeGreaterThan(20);
  });

  test('the docs name the schema by its $id on a yaml-language-server line', () => {
    for (const f of ['README.md', 'docs/config.md'])
      expect(readFileSync(repoPath(f), 'utf8')).toContain(`# yaml-language-server: $schema=${SCHEMA_ID}`);
  });

  describe('.pre-commit-hooks.yaml', () => {
    const hooks = parse(readFileSync(repoPath('.pre-commit-hooks.yaml'), 'utf8')) as Obj[];
    const hook = hooks.find((h) => h.id === 'persistguard')!;

    test('has the persistguard hook, installed as the node package, scanning the whole repository', () => {
      expect(hook).toMatchObject({ id: 'persistguard', language: 'node', pass_filenames: false });
      const [bin] = String(hook.entry).split(' ');
      const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { bin: Record<string, string> };
      expect(Object.keys(pkg.bin)).toContain(bin);
    });

    test('its files pattern selects what persistguard reads, and not the rest', () => {
      const source = String(hook.files);
      expect(source.startsWith('(?i)')).toBe(true); // Python's inline flag; JavaScript takes it as a flag
      const re = new RegExp(source.slice(4), 'i');
      for (const f of [
        'k8s/app.yaml',
        'docker-compose.yml',
        'scripts/build.sh',
        'Makefile',
        'justfile',
        '.persistguard.yaml',
        'services/api/Dockerfile',
        'app/settings.py',
      ])
        expect([f, re.test(f)]).toEqual([f, true]);
      for (const f of ['README.md', 'logo.png', 'go.sum']) expect([f, re.test(f)]).toEqual([f, false]);
    });

    test('its entry and args are a command line the CLI accepts', async () => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      stdout.resume();
      const [, ...entryArgs] = String(hook.entry).split(' ');
      const args = [...entryArgs, ...(hook.args as string[]), 'examples/000-portal-data-dir/fixed'];
      const code = await main(args, {
        stdout,
        stderr,
        cwd: REPO_ROOT,
        env: {},
        readStdin: async () => '',
        stopSignal: new Promise<void>(() => {}),
      });
      expect([code, err]).toEqual([0, '']);
      expect(path.isAbsolute(REPO_ROOT)).toBe(true);
    });
  });
});
